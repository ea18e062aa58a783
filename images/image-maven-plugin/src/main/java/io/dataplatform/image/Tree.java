package io.dataplatform.image;

import java.io.File;

/** Maven configuration of a directory added as its own layer ({@code <trees><tree>...}). */
public class Tree {
    public File source;
    public String path;
}
