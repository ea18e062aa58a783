package io.dataplatform.hadoop.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.dataplatform.hadoop.config.ClientConfiguration;
import io.dataplatform.hadoop.config.Setting;
import io.dataplatform.hadoop.config.Template;
import io.dataplatform.hadoop.config.Variables;
import org.apache.hadoop.conf.Configuration;

import static io.dataplatform.hadoop.config.Setting.optional;
import static io.dataplatform.hadoop.config.Setting.required;
import static io.dataplatform.hadoop.config.Setting.secret;

/**
 * The HDFS daemons' configuration: the platform's client files plus {@code hadoop-server.xml} (loaded after
 * hdfs-site.xml, so it wins), {@code ssl-server.xml} and {@code hadoop-policy.xml}.
 */
final class ServerConfiguration {
    static final String SERVER_RESOURCE = "hadoop-server.xml";

    private static final String PATH = "/[A-Za-z0-9._/-]+";
    private static final String PATHS = PATH + "(," + PATH + ")*";
    private static final String NAME = "[a-z_][a-z0-9_.-]*";

    static final List<Setting> SETTINGS = List.of(
            optional("HDFS_KEYTAB", "/etc/security/keytabs/hdfs.keytab", PATH,
                    "the keytab with this host's nn/ or dn/ principal and its HTTP/ principal"),
            optional("HADOOP_SSL_KEYSTORE", "/etc/security/ssl/keystore.p12", PATH,
                    "the PKCS#12 keystore with this host's HTTPS certificate and key"),
            secret("HADOOP_SSL_KEYSTORE_PASSWORD", "[^\\s]{6,}",
                    "the password of the keystore and of its key, at least 6 characters"),
            optional("HDFS_NAME_DIR", "/var/lib/hadoop/name", PATHS,
                    "the NameNode's metadata directories, comma-separated absolute paths"),
            optional("HDFS_DATA_DIR", "/var/lib/hadoop/data", PATHS,
                    "the DataNode's block directories, comma-separated absolute paths"),
            optional("HDFS_SUPERGROUP", "supergroup", NAME, "the HDFS superuser group"),
            optional("HDFS_USER_GROUPS", "", "(" + NAME + "=(" + NAME + "(," + NAME + ")*)?;)*",
                    "static group mapping, e.g. 'alice=analysts,etl;bob=analysts;'"),
            optional("HDFS_HEARTBEAT_SECONDS", "3", "[1-9][0-9]{0,2}", "the DataNode heartbeat interval in seconds"),
            optional("HDFS_DEAD_NODE_RECHECK_MS", "300000", "[1-9][0-9]{2,8}",
                    "how often the NameNode looks for dead DataNodes, in ms (dead after 2 × this + 10 heartbeats)"),
            optional("HDFS_SAFEMODE_EXTENSION_MS", "30000", "0|[1-9][0-9]{0,8}",
                    "how long the NameNode stays in safe mode after enough blocks are reported, in ms"),
            optional("HDFS_OPA_URL", "", "(https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?)?",
                    "OPA's address (http://host:port), which then decides every access (hdfs-opa-authorizer); "
                            + "empty: HDFS permissions and ACLs alone"),
            optional("HDFS_OPA_CACHE_SECONDS", "30", "[1-9][0-9]{0,4}",
                    "how long the NameNode reuses an OPA decision, in seconds"));

    private ServerConfiguration() {}

    static Variables variables(Map<String, String> environment) {
        return ClientConfiguration.variables(environment).read(SETTINGS);
    }

    /**
     * What a daemon reads, loaded from the prepared directory itself: core-site.xml, hdfs-site.xml, then the server
     * file over them.
     */
    static Configuration load(Path directory) {
        Configuration configuration = new Configuration(false);
        for (String file : List.of("core-site.xml", "hdfs-site.xml", SERVER_RESOURCE)) {
            configuration.addResource(new org.apache.hadoop.fs.Path(directory.resolve(file).toUri()));
        }
        return configuration;
    }

    static List<Template> templates() {
        List<Template> templates = new ArrayList<>(ClientConfiguration.templates());
        templates.add(Template.resource(ServerConfiguration.class, SERVER_RESOURCE));
        templates.add(Template.resource(ServerConfiguration.class, "ssl-server.xml"));
        templates.add(Template.resource(ServerConfiguration.class, "hadoop-policy.xml"));
        return templates;
    }
}
