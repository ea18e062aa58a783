package io.dataplatform.image;

/** Maven configuration of an owned directory ({@code <directories><directory>...}). */
public class Directory {
    public String path;
    public int owner;
    /** Octal, as a string: "0750". */
    public String mode = "0755";

    ImageSpec.OwnedDirectory toSpec() {
        return new ImageSpec.OwnedDirectory(path, owner, Integer.parseInt(mode, 8));
    }
}
