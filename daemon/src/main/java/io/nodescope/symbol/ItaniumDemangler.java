package io.nodescope.symbol;

final class ItaniumDemangler {
    private ItaniumDemangler() {}

    static String demangle(String name) {
        return name;
    }
}
