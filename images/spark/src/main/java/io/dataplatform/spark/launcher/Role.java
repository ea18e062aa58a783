package io.dataplatform.spark.launcher;

import io.dataplatform.launcher.Launcher;

/** What a container of the Spark image runs: the first argument. */
enum Role {
    /** A client-mode driver: spark-submit's arguments follow. */
    SUBMIT,
    /** A client-mode driver running SQL scripts: spark-submit options, then {@code -f file} / {@code -e statement}. */
    SQL,
    /** An executor started by Spark's Kubernetes scheduler (its pod contract: SPARK_* variables). */
    EXECUTOR,
    /** A standalone master. */
    MASTER,
    /** A standalone worker; the master URL follows or is in SPARK_MASTER_URL. */
    WORKER;

    boolean drivesApplications() {
        return this == SUBMIT || this == SQL;
    }

    String label() {
        return Launcher.label(this);
    }

    static Role of(String name) {
        return Launcher.role(Role.class, name, "the first argument");
    }
}
