package io.nodescope.proc;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * fabric8's crud mock selects by labels and metadata fields only; an API server also selects
 * pods by spec.nodeName. This dispatcher answers a spec.nodeName field selector as a selector on
 * the label {@link #NODE_LABEL}, which test pods carry with their node's name: a watch that asks
 * for its node's pods gets only those, one that forgets to ask gets every node's.
 */
final class NodeSelectingCrudDispatcher extends KubernetesCrudDispatcher {
    static final String NODE_LABEL = "test.nodescope.io/node";
    private static final String FIELD_SELECTOR = "fieldSelector=" + encode("spec.nodeName=");
    private static final String LABEL_SELECTOR = "labelSelector=" + encode(NODE_LABEL + "=");

    @Override
    public MockResponse handleGet(String path) {
        return super.handleGet(path.replace(FIELD_SELECTOR, LABEL_SELECTOR));
    }

    @Override
    public MockResponse handleWatch(String path) {
        return super.handleWatch(path.replace(FIELD_SELECTOR, LABEL_SELECTOR));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
