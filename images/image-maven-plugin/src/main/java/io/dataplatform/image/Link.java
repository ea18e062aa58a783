package io.dataplatform.image;

/** Maven configuration of a symbolic link ({@code <links><link><path>/bin</path><target>usr/bin</target>}). */
public class Link {
    public String path;
    public String target;
}
