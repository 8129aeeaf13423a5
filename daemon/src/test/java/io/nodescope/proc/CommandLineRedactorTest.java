package io.nodescope.proc;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CommandLineRedactorTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            java -jar app.jar --port 8080                         | java -jar app.jar --port 8080
            mysqld --password hunter2 --user root                 | mysqld --password <redacted> --user root
            mysqld --password=hunter2                             | mysqld --password=<redacted>
            app -token abc --verbose                              | app -token <redacted> --verbose
            app --db-token=abc --api-key xyz --client_secret=s    | app --db-token=<redacted> --api-key <redacted> --client_secret=<redacted>
            app --PASSWORD=a=b                                    | app --PASSWORD=<redacted>
            env DB_PASSWORD=hunter2 AWS_SECRET_ACCESS_KEY=k PATH=/bin app | env DB_PASSWORD=<redacted> AWS_SECRET_ACCESS_KEY=<redacted> PATH=/bin app
            psql postgres://admin:hunter2@db:5432/app             | psql postgres://admin:<redacted>@db:5432/app
            curl https://example.org/path                         | curl https://example.org/path
            app --password                                        | app --password
            """)
    void redactsSecrets(String arguments, String expected) {
        assertEquals(expected, CommandLineRedactor.redact(List.of(arguments.split(" "))));
    }
}
