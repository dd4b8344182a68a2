package whoknows.testserver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.neo4j.cli.AdminTool;
import org.neo4j.cli.ExecutionContext;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.internal.helpers.HostnamePort;
import org.neo4j.io.fs.DefaultFileSystemAbstraction;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * A Neo4j Community server for the test suite: Bolt only, on 127.0.0.1, authentication off, small memory.
 *
 * <p>Usage: {@code java -Xmx512m -jar neo4j-test-server.jar --home DIR [--port N] [--page-cache BYTES]}. Port 0
 * (the default) takes a free port. When Bolt accepts connections it prints one line {@code BOLT bolt://127.0.0.1:N}
 * on stdout. It shuts down cleanly when its stdin closes (so a killed test runner never leaves it behind) or on
 * SIGTERM. Restarting with the same --home keeps the data (the outage test relies on it).
 *
 * <p>{@code --import ARGS_FILE} first runs Neo4j's offline importer ({@code neo4j-admin database import full
 * @ARGS_FILE}, as {@code whoknows ingest manifest DIR --bulk-dir OUT} writes it) into the database under --home, then
 * starts the server on it. It refuses a home whose database already exists: the importer writes a new database and
 * cannot merge into one. On failure it prints {@code IMPORT FAILED: reason} on stderr and exits with status 3.
 */
public final class TestServer {
    private TestServer() {}

    public static void main(String[] args) throws Exception {
        Path home = null;
        int port = 0;
        long pageCache = 64L * 1024 * 1024;
        Path importArgs = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--home" -> { home = Path.of(require(args[i], value)).toAbsolutePath(); i++; }
                case "--port" -> { port = Integer.parseInt(require(args[i], value)); i++; }
                case "--page-cache" -> { pageCache = Long.parseLong(require(args[i], value)); i++; }
                case "--import" -> { importArgs = Path.of(require(args[i], value)); i++; }
                default -> fail("unknown argument " + args[i]);
            }
        }
        if (home == null) {
            fail("--home DIR is required");
        }
        Files.createDirectories(home);
        if (importArgs != null) {
            runImport(home, importArgs);
        }

        DatabaseManagementService service = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "false")
                .setConfig(GraphDatabaseSettings.check_point_interval_time, Duration.ofMinutes(5))
                // end a read at its transaction timeout within 0.1 s, not up to the default 2 s later (as in
                // docker-compose.yml): a request's deadline frees its worker on time
                .setConfig(GraphDatabaseSettings.transaction_monitor_check_interval, Duration.ofMillis(100))
                .build();

        AtomicBoolean stopped = new AtomicBoolean(false);
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                service.shutdown();
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "neo4j-test-server-shutdown"));

        GraphDatabaseAPI db = (GraphDatabaseAPI) service.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        HostnamePort bolt = db.getDependencyResolver()
                .resolveDependency(ConnectorPortRegister.class)
                .getLocalAddress(ConnectorType.BOLT);
        System.out.println("BOLT bolt://" + bolt.getHost() + ":" + bolt.getPort());
        System.out.flush();

        // Block until whoever started us closes our stdin (or dies, which closes it too).
        InputStream in = System.in;
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // ignore input
            }
        } catch (IOException closed) {
            // treated like end of input
        }
        stop.run();
        System.exit(0);
    }

    /** The offline importer on the default database under {@code home}, in this JVM, before the server starts. */
    private static void runImport(Path home, Path argsFile) throws IOException {
        Path database = home.resolve("data").resolve("databases").resolve(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        if (Files.isDirectory(database)) {
            try (var entries = Files.list(database)) {
                if (entries.findAny().isPresent()) {
                    importFailed("the database " + database + " already exists: the offline importer only loads an "
                            + "empty database (later loads use the online path, whoknows ingest without --bulk-dir)");
                }
            }
        }
        if (!Files.isRegularFile(argsFile)) {
            importFailed("no importer arguments file " + argsFile);
        }
        long started = System.nanoTime();
        // the importer reports on stderr: stdout carries only the BOLT line the caller waits for
        int code = AdminTool.execute(new ExecutionContext(home, home.resolve("conf"),
                        System.err, System.err, new DefaultFileSystemAbstraction()),
                "database", "import", "full", "--verbose",
                "--report-file=" + home.resolve("import.report"), "@" + argsFile.toAbsolutePath());
        if (code != 0) {
            importFailed("neo4j-admin database import full exited with status " + code + " (its report is above)");
        }
        System.err.printf("IMPORT DONE in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    private static void importFailed(String message) {
        System.err.println("IMPORT FAILED: " + message);
        System.exit(3);
    }

    private static String require(String flag, String value) {
        if (value == null) {
            fail(flag + " needs a value");
        }
        return value;
    }

    private static void fail(String message) {
        System.err.println("neo4j-test-server: " + message);
        System.exit(2);
    }
}
