package io.dataplatform.image;

/** Maven configuration of a system user ({@code <users><user>...}). */
public class User {
    public String name;
    public int uid;
    public String home;
    public String shell;

    ImageSpec.User toSpec() {
        return new ImageSpec.User(name, uid, home == null ? "/home/" + name : home, shell);
    }
}
