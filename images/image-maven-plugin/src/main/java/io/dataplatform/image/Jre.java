package io.dataplatform.image;

import java.io.File;
import java.util.List;

/** Maven configuration of a jlink'ed runtime ({@code <jre>...}). */
public class Jre {
    public File jdkHome;
    public String version;
    public List<String> modules;
    public String path;
}
