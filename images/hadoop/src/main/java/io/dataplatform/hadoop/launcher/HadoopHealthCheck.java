package io.dataplatform.hadoop.launcher;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedExceptionAction;
import java.util.Arrays;
import java.util.Locale;

import io.dataplatform.hadoop.config.ConfigurationDirectory;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.protocol.HdfsConstants.DatanodeReportType;
import org.apache.hadoop.hdfs.protocol.HdfsConstants.SafeModeAction;
import org.apache.hadoop.security.SecurityUtil;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * The image's health check: logs in as the daemon (its own keytab and principal, as the daemon did) and asks the
 * NameNode over Kerberos RPC — a NameNode is healthy when it serves and is out of safe mode; a DataNode when the
 * NameNode lists it among the live DataNodes. Exit 0 if healthy, 1 with the reason otherwise.
 */
public final class HadoopHealthCheck {
    private HadoopHealthCheck() {}

    public static void main(String[] args) {
        try {
            String problem = check(configurationDirectory());
            if (problem != null) {
                System.out.println("unhealthy: " + problem);
                System.exit(1);
            }
            System.out.println("healthy");
        }
        catch (Exception e) {
            System.out.println("unhealthy: " + e);
            System.exit(1);
        }
    }

    static String check(Path directory) throws Exception {
        Path roleFile = directory.resolve(HadoopLauncher.ROLE_FILE);
        if (!Files.isRegularFile(roleFile)) {
            return "no daemon has started (" + roleFile + " is missing)";
        }
        HadoopLauncher.Role role = HadoopLauncher.Role.valueOf(Files.readString(roleFile).strip());
        System.setProperty("java.security.krb5.conf", directory.resolve("krb5.conf").toString());
        Configuration configuration = ServerConfiguration.load(directory);
        UserGroupInformation.setConfiguration(configuration);
        String host = InetAddress.getLocalHost().getCanonicalHostName().toLowerCase(Locale.ROOT);
        boolean namenode = role == HadoopLauncher.Role.NAMENODE;
        String principal = SecurityUtil.getServerPrincipal(configuration.get(namenode
                ? DFSConfigKeys.DFS_NAMENODE_KERBEROS_PRINCIPAL_KEY : DFSConfigKeys.DFS_DATANODE_KERBEROS_PRINCIPAL_KEY), host);
        String keytab = configuration.get(namenode
                ? DFSConfigKeys.DFS_NAMENODE_KEYTAB_FILE_KEY : DFSConfigKeys.DFS_DATANODE_KEYTAB_FILE_KEY);
        UserGroupInformation daemon = UserGroupInformation.loginUserFromKeytabAndReturnUGI(principal, keytab);
        return daemon.doAs((PrivilegedExceptionAction<String>) () -> {
            try (DistributedFileSystem fileSystem = (DistributedFileSystem) FileSystem.newInstance(
                    FileSystem.getDefaultUri(configuration), configuration)) {
                if (namenode) {
                    return fileSystem.setSafeMode(SafeModeAction.SAFEMODE_GET) ? "the NameNode is in safe mode" : null;
                }
                boolean live = Arrays.stream(fileSystem.getDataNodeStats(DatanodeReportType.LIVE))
                        .anyMatch(node -> node.getHostName().equalsIgnoreCase(host));
                return live ? null : "the NameNode does not list " + host + " among its live DataNodes";
            }
        });
    }

    private static Path configurationDirectory() {
        String directory = System.getenv("HADOOP_CONF_DIR");
        return directory == null || directory.isBlank() ? ConfigurationDirectory.RUNTIME : Path.of(directory);
    }
}
