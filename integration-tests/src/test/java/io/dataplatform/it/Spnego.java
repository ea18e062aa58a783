package io.dataplatform.it;

import java.util.Base64;

import javax.security.auth.Subject;

import org.ietf.jgss.GSSContext;
import org.ietf.jgss.GSSManager;
import org.ietf.jgss.GSSName;
import org.ietf.jgss.Oid;

/** SPNEGO from the JDK's GSS-API: the Authorization header a browser or curl --negotiate would send. */
final class Spnego {
    private static final String SPNEGO_OID = "1.3.6.1.5.5.2";

    private Spnego() {}

    /** {@code Negotiate <token>} for {@code HTTP/host}, from the Kerberos credentials of {@code subject}. */
    static String authorization(Subject subject, String host) throws Exception {
        return Subject.callAs(subject, () -> {
            GSSManager manager = GSSManager.getInstance();
            GSSName server = manager.createName("HTTP@" + host, GSSName.NT_HOSTBASED_SERVICE);
            GSSContext context = manager.createContext(server, new Oid(SPNEGO_OID), null,
                    GSSContext.DEFAULT_LIFETIME);
            try {
                byte[] token = context.initSecContext(new byte[0], 0, 0);
                return "Negotiate " + Base64.getEncoder().encodeToString(token);
            }
            finally {
                context.dispose();
            }
        });
    }
}
