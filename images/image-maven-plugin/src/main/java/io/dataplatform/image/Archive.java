package io.dataplatform.image;

import java.util.List;

/** Maven configuration of a distribution archive ({@code <archives><archive>...}). */
public class Archive {
    /** {@code groupId:artifactId[:classifier]} of a dependency of the module (declared with its type). */
    public String artifact;
    public int stripComponents;
    public List<String> includes;
    public List<String> excludes;
    public String path;
}
