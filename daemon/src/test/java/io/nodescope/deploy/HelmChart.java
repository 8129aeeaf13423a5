package io.nodescope.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.nodescope.testing.RepositoryRoot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * deploy/helm/nodescope through Helm's own Go code (helm-java: the library that helm's CLI runs,
 * loaded through JNA), so lint and template behave exactly as `helm lint` and `helm template`.
 * Always the release "nodescope" in the namespace "nodescope", the names deploy/'s manifests use.
 */
final class HelmChart {
    static final String RELEASE = "nodescope";
    static final String NAMESPACE = "nodescope";
    private static final Pattern SOURCE_HEADER = Pattern.compile("(?m)^---\\R# Source: [^/]+/templates/(\\S+)\\R");

    /** One object of helm template's output and the template file it came from. */
    record RenderedDocument(String template, String yaml) {}

    private HelmChart() {}

    static Path directory() {
        return RepositoryRoot.find().resolve("deploy/helm/nodescope");
    }

    static LintResult lint() {
        return new Helm(directory()).lint().strict().call();
    }

    /** Default values plus the given files and --set pairs; Helm's error (schema, fail) is thrown as is. */
    static String template(List<Path> valuesFiles, Map<String, Object> sets) {
        TemplateCommand command = new Helm(directory()).template().withName(RELEASE).withNamespace(NAMESPACE);
        valuesFiles.forEach(command::withValuesFile);
        sets.forEach(command::set);
        return command.call();
    }

    /**
     * `helm install --dry-run=client`: no cluster is contacted, and the output is the rendered
     * objects followed by NOTES.txt.
     */
    static String installDryRun(Map<String, Object> sets) {
        InstallCommand command = new Helm(directory()).install().withName(RELEASE).withNamespace(NAMESPACE)
                .clientOnly().dryRun();
        sets.forEach(command::set);
        return command.call().getOutput();
    }

    /** helm template's output split at its "# Source:" headers, in Helm's install order. */
    static List<RenderedDocument> documents(String rendered) {
        List<RenderedDocument> documents = new ArrayList<>();
        Matcher header = SOURCE_HEADER.matcher(rendered);
        String template = null;
        int start = 0;
        while (header.find()) {
            if (template != null) {
                documents.add(new RenderedDocument(template, rendered.substring(start, header.start())));
            }
            template = header.group(1);
            start = header.end();
        }
        if (template == null) {
            throw new IllegalStateException("helm template printed no '# Source:' header:\n" + rendered);
        }
        documents.add(new RenderedDocument(template, rendered.substring(start)));
        return documents;
    }
}
