package io.dataplatform.gitops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Whether a team's DAG repository can be reached and has its branch; a problem line when not. */
@FunctionalInterface
interface GitRepositoryCheck {
    Optional<String> problem(String repository, String branch);

    /** {@code git ls-remote} from this machine (no prompt for credentials, 30 s at most). */
    GitRepositoryCheck GIT = (repository, branch) -> {
        ProcessBuilder builder = new ProcessBuilder(List.of("git", "ls-remote", "--heads", repository,
                "refs/heads/" + branch)).redirectErrorStream(true);
        builder.environment().put("GIT_TERMINAL_PROMPT", "0");
        builder.environment().put("GIT_SSH_COMMAND", "ssh -o BatchMode=yes -o ConnectTimeout=15");
        try {
            Process git = builder.start();
            git.getOutputStream().close();
            if (!git.waitFor(30, TimeUnit.SECONDS)) {
                git.destroyForcibly();
                return Optional.of("airflow.dags.repository: %s did not answer within 30 s (git ls-remote)"
                        .formatted(repository));
            }
            String output = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (git.exitValue() != 0) {
                String reason = output.lines().filter(line -> line.startsWith("fatal:")).findFirst()
                        .orElse(output.lines().reduce((first, second) -> second).orElse("exit " + git.exitValue()));
                return Optional.of("airflow.dags.repository: cannot reach %s: %s (check the URL and that this "
                        .formatted(repository, reason) + "machine may read it, or pass --no-repository-check)");
            }
            if (output.isEmpty()) {
                return Optional.of("airflow.dags.branch: %s has no branch '%s'".formatted(repository, branch));
            }
            return Optional.empty();
        }
        catch (IOException e) {
            return Optional.of("airflow.dags.repository: cannot run git to reach %s: %s (pass --no-repository-check "
                    .formatted(repository, e.getMessage()) + "where git is missing)");
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("airflow.dags.repository: interrupted while reaching " + repository);
        }
    };
}
