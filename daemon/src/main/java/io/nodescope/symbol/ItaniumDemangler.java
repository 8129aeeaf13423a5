package io.nodescope.symbol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Demangles C++ names (Itanium C++ ABI, what gcc and clang emit on Linux) into the text c++filt
 * prints. A focused implementation rather than a library: no maintained Java demangler is on Maven
 * Central (Ghidra's shells out to c++filt; shelling out per frame is no option in a daemon), and
 * LLVM's is C++. It covers the grammar stacks meet: nested and template names, substitutions,
 * template parameters, ctors and dtors, operators, function, array and member pointer types, local
 * names and lambdas, ABI tags, special names (vtable, thunks, guard variables) and clone suffixes.
 * Expressions in template arguments and decltype are not covered; a name it cannot demangle comes
 * back unchanged, which is what a frame shows for a name that is not mangled at all.
 *
 * <p>Bounded: input over {@link #MAX_INPUT} characters, recursion over {@link #MAX_DEPTH} levels or
 * output over {@link #MAX_OUTPUT} characters give the input back, so a hostile symbol name cannot
 * overflow the stack or the heap.
 */
final class ItaniumDemangler {
    static final int MAX_INPUT = 4096;
    private static final int MAX_DEPTH = 200;
    private static final int MAX_OUTPUT = 16384;

    private static final Map<String, String> BUILTIN_TYPES = Map.ofEntries(
            Map.entry("v", "void"), Map.entry("w", "wchar_t"), Map.entry("b", "bool"), Map.entry("c", "char"),
            Map.entry("a", "signed char"), Map.entry("h", "unsigned char"), Map.entry("s", "short"),
            Map.entry("t", "unsigned short"), Map.entry("i", "int"), Map.entry("j", "unsigned int"),
            Map.entry("l", "long"), Map.entry("m", "unsigned long"), Map.entry("x", "long long"),
            Map.entry("y", "unsigned long long"), Map.entry("n", "__int128"), Map.entry("o", "unsigned __int128"),
            Map.entry("f", "float"), Map.entry("d", "double"), Map.entry("e", "long double"),
            Map.entry("g", "__float128"), Map.entry("z", "..."), Map.entry("Dn", "decltype(nullptr)"),
            Map.entry("Di", "char32_t"), Map.entry("Ds", "char16_t"), Map.entry("Du", "char8_t"),
            Map.entry("Da", "auto"), Map.entry("Dc", "decltype(auto)"), Map.entry("Dh", "half"),
            Map.entry("Df", "decimal32"), Map.entry("Dd", "decimal64"), Map.entry("De", "decimal128"));

    private static final Map<String, String> OPERATORS = Map.ofEntries(
            Map.entry("nw", "new"), Map.entry("na", "new[]"), Map.entry("dl", "delete"), Map.entry("da", "delete[]"),
            Map.entry("ps", "+"), Map.entry("ng", "-"), Map.entry("ad", "&"), Map.entry("de", "*"),
            Map.entry("co", "~"), Map.entry("pl", "+"), Map.entry("mi", "-"), Map.entry("ml", "*"),
            Map.entry("dv", "/"), Map.entry("rm", "%"), Map.entry("an", "&"), Map.entry("or", "|"),
            Map.entry("eo", "^"), Map.entry("aS", "="), Map.entry("pL", "+="), Map.entry("mI", "-="),
            Map.entry("mL", "*="), Map.entry("dV", "/="), Map.entry("rM", "%="), Map.entry("aN", "&="),
            Map.entry("oR", "|="), Map.entry("eO", "^="), Map.entry("ls", "<<"), Map.entry("rs", ">>"),
            Map.entry("lS", "<<="), Map.entry("rS", ">>="), Map.entry("eq", "=="), Map.entry("ne", "!="),
            Map.entry("lt", "<"), Map.entry("gt", ">"), Map.entry("le", "<="), Map.entry("ge", ">="),
            Map.entry("ss", "<=>"), Map.entry("nt", "!"), Map.entry("aa", "&&"), Map.entry("oo", "||"),
            Map.entry("pp", "++"), Map.entry("mm", "--"), Map.entry("cm", ","), Map.entry("pm", "->*"),
            Map.entry("pt", "->"), Map.entry("cl", "()"), Map.entry("ix", "[]"), Map.entry("qu", "?"),
            Map.entry("aw", "co_await"));

    private static final Map<Character, String> STANDARD_SUBSTITUTIONS = Map.of(
            't', "std", 'a', "std::allocator", 'b', "std::basic_string",
            's', "std::basic_string<char, std::char_traits<char>, std::allocator<char> >",
            'i', "std::basic_istream<char, std::char_traits<char> >",
            'o', "std::basic_ostream<char, std::char_traits<char> >",
            'd', "std::basic_iostream<char, std::char_traits<char> >");

    private ItaniumDemangler() {}

    /** The demangled name, or the input unchanged when it is not a mangled name this demangler reads. */
    static String demangle(String name) {
        if (!name.startsWith("_Z") || name.length() > MAX_INPUT) {
            return name;
        }
        try {
            return new Parser(name).mangledName();
        } catch (CannotDemangle e) {
            return name;
        }
    }

    /**
     * Thrown inside the parser and printer only (unchecked so that printing can stop an exponential
     * substitution bomb midway); never escapes {@link #demangle}.
     */
    private static final class CannotDemangle extends RuntimeException {
        CannotDemangle() {
            super(null, null, false, false); // Control flow, not a diagnostic: no stack trace.
        }
    }

    /**
     * A parsed name or type, printed in two halves around what it declares (as LLVM's demangler does):
     * "void (*)(int)" is a pointer's left "void (*" and right ")(int)".
     */
    private abstract static class Node {
        abstract void printLeft(StringBuilder out);

        void printRight(StringBuilder out) {}

        boolean hasFunction() {
            return false;
        }

        boolean hasArray() {
            return false;
        }

        final String text() {
            StringBuilder out = new StringBuilder();
            printLeft(out);
            printRight(out);
            return out.toString();
        }
    }

    private static final class Text extends Node {
        final String text;

        Text(String text) {
            this.text = text;
        }

        @Override
        void printLeft(StringBuilder out) {
            out.append(text);
        }
    }

    /** A possibly qualified name; unqualifiedName is what a constructor or destructor is called. */
    private static final class Name extends Node {
        final String text;
        final String unqualifiedName;
        final boolean template;

        Name(String text, String unqualifiedName, boolean template) {
            this.text = text;
            this.unqualifiedName = unqualifiedName;
            this.template = template;
        }

        @Override
        void printLeft(StringBuilder out) {
            out.append(text);
        }
    }

    private static final class Qualified extends Node {
        final Node inner;
        final String qualifiers;

        Qualified(Node inner, String qualifiers) {
            this.inner = inner;
            this.qualifiers = qualifiers;
        }

        @Override
        void printLeft(StringBuilder out) {
            inner.printLeft(out);
            if (!inner.hasFunction()) {
                out.append(qualifiers);
            }
        }

        @Override
        void printRight(StringBuilder out) {
            inner.printRight(out);
            if (inner.hasFunction()) {
                out.append(qualifiers); // A qualified function type: "void (int) const".
            }
        }

        @Override
        boolean hasFunction() {
            return inner.hasFunction();
        }

        @Override
        boolean hasArray() {
            return inner.hasArray();
        }
    }

    /** Pointer or reference: "*", "&" or "&&". */
    private static final class Indirection extends Node {
        final Node pointee;
        final String symbol;

        Indirection(Node pointee, String symbol) {
            this.pointee = pointee;
            this.symbol = symbol;
        }

        @Override
        void printLeft(StringBuilder out) {
            pointee.printLeft(out);
            if (pointee.hasArray()) {
                out.append(' ');
            }
            if (pointee.hasArray() || pointee.hasFunction()) {
                out.append('(');
            }
            out.append(symbol);
        }

        @Override
        void printRight(StringBuilder out) {
            if (pointee.hasArray() || pointee.hasFunction()) {
                out.append(')');
            }
            pointee.printRight(out);
        }
    }

    private static final class MemberPointer extends Node {
        final Node classType;
        final Node memberType;

        MemberPointer(Node classType, Node memberType) {
            this.classType = classType;
            this.memberType = memberType;
        }

        @Override
        void printLeft(StringBuilder out) {
            memberType.printLeft(out);
            out.append(memberType.hasArray() || memberType.hasFunction() ? "(" : " ");
            out.append(classType.text()).append("::*");
        }

        @Override
        void printRight(StringBuilder out) {
            if (memberType.hasArray() || memberType.hasFunction()) {
                out.append(')');
            }
            memberType.printRight(out);
        }
    }

    private static final class ArrayType extends Node {
        final Node element;
        final String dimension;

        ArrayType(Node element, String dimension) {
            this.element = element;
            this.dimension = dimension;
        }

        @Override
        void printLeft(StringBuilder out) {
            element.printLeft(out);
        }

        @Override
        void printRight(StringBuilder out) {
            if (out.isEmpty() || out.charAt(out.length() - 1) != ']') {
                out.append(' ');
            }
            out.append('[').append(dimension).append(']');
            element.printRight(out);
        }

        @Override
        boolean hasArray() {
            return true;
        }
    }

    private static final class FunctionType extends Node {
        final Node returnType;
        final List<Node> parameters;
        final String qualifiers;

        FunctionType(Node returnType, List<Node> parameters, String qualifiers) {
            this.returnType = returnType;
            this.parameters = parameters;
            this.qualifiers = qualifiers;
        }

        @Override
        void printLeft(StringBuilder out) {
            returnType.printLeft(out);
            StringBuilder returnTypeRight = new StringBuilder();
            returnType.printRight(returnTypeRight);
            if (returnTypeRight.isEmpty()) {
                out.append(' '); // "int (*)()", but a returned function pointer nests: "int (*(*)())()".
            }
        }

        @Override
        void printRight(StringBuilder out) {
            out.append(parameterList(parameters)).append(qualifiers);
            returnType.printRight(out);
        }

        @Override
        boolean hasFunction() {
            return true;
        }
    }

    private static String parameterList(List<Node> parameters) {
        if (parameters.size() == 1 && parameters.get(0).text().equals("void")) {
            return "()";
        }
        StringBuilder out = new StringBuilder("(");
        for (int i = 0; i < parameters.size(); i++) {
            out.append(i == 0 ? "" : ", ").append(parameters.get(i).text());
            if (out.length() > MAX_OUTPUT) {
                throw new CannotDemangle(); // Shared substitutions printed again and again: a DAG unfolding.
            }
        }
        return out.append(')').toString();
    }

    private static final class Parser {
        private final String input;
        private int at = 2; // After "_Z".
        private int depth;
        private final List<Node> substitutions = new ArrayList<>();
        private List<Node> templateParameters = List.of();
        /** Set while parsing an encoding's own name: its template arguments are what T_ refers to. */
        private boolean inEncodingName;

        Parser(String input) {
            this.input = input;
        }

        String mangledName() {
            String encoding = encoding(true);
            StringBuilder out = new StringBuilder(encoding);
            // ".cold", ".isra.0", ".constprop.0.isra.0": gcc's clones, printed as c++filt does.
            while (at < input.length() && input.charAt(at) == '.'
                    && at + 1 < input.length() && (Character.isLetter(input.charAt(at + 1)) || input.charAt(at + 1) == '_')) {
                int end = at + 1;
                while (end < input.length() && input.charAt(end) != '.') {
                    end++;
                }
                while (end + 1 < input.length() && input.charAt(end) == '.' && Character.isDigit(input.charAt(end + 1))) {
                    end++;
                    while (end < input.length() && Character.isDigit(input.charAt(end))) {
                        end++;
                    }
                }
                out.append(" [clone ").append(input, at, end).append(']');
                at = end;
            }
            if (at != input.length() || out.length() > MAX_OUTPUT) {
                throw new CannotDemangle();
            }
            return out.toString();
        }

        private char peek() {
            return at < input.length() ? input.charAt(at) : '\0';
        }

        private char peek(int ahead) {
            return at + ahead < input.length() ? input.charAt(at + ahead) : '\0';
        }

        private boolean consume(String prefix) {
            if (input.startsWith(prefix, at)) {
                at += prefix.length();
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw new CannotDemangle();
            }
            at++;
        }

        private void enter() {
            if (++depth > MAX_DEPTH) {
                throw new CannotDemangle();
            }
        }

        /** @param withReturnType false inside a local name, where c++filt leaves a template's return type out */
        private String encoding(boolean withReturnType) {
            enter();
            try {
                String special = specialName();
                if (special != null) {
                    return special;
                }
                boolean outer = inEncodingName;
                inEncodingName = true;
                Name name;
                String[] methodQualifiers = {""};
                try {
                    name = name(methodQualifiers);
                } finally {
                    inEncodingName = outer;
                }
                if (at >= input.length() || peek() == 'E' || peek() == '.') {
                    return name.text; // A variable, or the function part of a local name ended.
                }
                Node returnType = null;
                if (name.template && !isConstructorDestructorOrConversion(name)) {
                    returnType = type();
                }
                List<Node> parameters = new ArrayList<>();
                while (at < input.length() && peek() != 'E' && peek() != '.') {
                    parameters.add(type());
                }
                if (parameters.isEmpty()) {
                    throw new CannotDemangle();
                }
                StringBuilder out = new StringBuilder();
                boolean printReturnType = returnType != null && withReturnType;
                if (printReturnType) {
                    returnType.printLeft(out);
                    out.append(' ');
                }
                out.append(name.text).append(parameterList(parameters));
                if (printReturnType) {
                    returnType.printRight(out);
                }
                return out.append(methodQualifiers[0]).toString();
            } finally {
                depth--;
            }
        }

        private boolean isConstructorDestructorOrConversion(Name name) {
            String last = name.text.substring(name.text.lastIndexOf("::") + 2 > 1 ? name.text.lastIndexOf("::") + 2 : 0);
            return last.startsWith("~") || last.startsWith("operator ") && !last.startsWith("operator new")
                    && !last.startsWith("operator delete") || name.unqualifiedName.isEmpty();
        }

        private String specialName() {
            if (consume("TV")) {
                return "vtable for " + type().text();
            }
            if (consume("TT")) {
                return "VTT for " + type().text();
            }
            if (consume("TI")) {
                return "typeinfo for " + type().text();
            }
            if (consume("TS")) {
                return "typeinfo name for " + type().text();
            }
            if (consume("Th")) {
                callOffsetNumber();
                expect('_');
                return "non-virtual thunk to " + encoding(true);
            }
            if (consume("Tv")) {
                callOffsetNumber();
                expect('_');
                callOffsetNumber();
                expect('_');
                return "virtual thunk to " + encoding(true);
            }
            if (consume("GV")) {
                return "guard variable for " + name(new String[1]).text;
            }
            if (consume("GR")) {
                String name = name(new String[1]).text;
                while (peek() != '_' && at < input.length()) {
                    at++;
                }
                expect('_');
                return "reference temporary for " + name;
            }
            return null;
        }

        private void callOffsetNumber() {
            consume("n");
            number();
        }

        /** @param methodQualifiers receives " const" and the like of a nested member function name */
        private Name name(String[] methodQualifiers) {
            enter();
            try {
                if (peek() == 'N') {
                    return nestedName(methodQualifiers);
                }
                if (peek() == 'Z') {
                    return localName(methodQualifiers);
                }
                Name unscoped;
                if (peek() == 'S' && peek(1) != 't') {
                    Node substituted = substitution();
                    if (peek() != 'I') {
                        throw new CannotDemangle(); // Only a template name may be a substitution here.
                    }
                    unscoped = new Name(substituted.text(), substituted.text(), false);
                } else {
                    boolean std = consume("St");
                    Name unqualified = unqualifiedName("");
                    unscoped = std ? new Name("std::" + unqualified.text, unqualified.unqualifiedName, false) : unqualified;
                    if (peek() == 'I') {
                        substitutions.add(unscoped);
                    }
                }
                if (peek() == 'I') {
                    String arguments = templateArguments();
                    return new Name(unscoped.text + arguments, unscoped.unqualifiedName, true);
                }
                return unscoped;
            } finally {
                depth--;
            }
        }

        private Name nestedName(String[] methodQualifiers) {
            expect('N');
            methodQualifiers[0] = cvQualifiers() + (consume("R") ? " &" : consume("O") ? " &&" : "");
            String soFar = "";
            String lastUnqualified = "";
            boolean template = false;
            while (!consume("E")) {
                if (at >= input.length()) {
                    throw new CannotDemangle();
                }
                template = false;
                if (peek() == 'S' && peek(1) != 't' || soFar.isEmpty() && peek() == 'S') {
                    if (!soFar.isEmpty()) {
                        throw new CannotDemangle();
                    }
                    if (consume("St")) {
                        soFar = "std";
                        continue;
                    }
                    Node substituted = substitution();
                    soFar = substituted.text();
                    lastUnqualified = substituted instanceof Name n ? n.unqualifiedName : soFar;
                    continue;
                }
                if (peek() == 'T') {
                    soFar = templateParameter().text();
                    lastUnqualified = soFar;
                } else if (peek() == 'I') {
                    if (soFar.isEmpty()) {
                        throw new CannotDemangle();
                    }
                    soFar += templateArguments();
                    template = true;
                } else {
                    Name component = unqualifiedName(lastUnqualified);
                    lastUnqualified = component.unqualifiedName;
                    soFar = soFar.isEmpty() ? component.text : soFar + "::" + component.text;
                }
                if (peek() != 'E') {
                    substitutions.add(new Name(soFar, lastUnqualified, template));
                }
            }
            if (soFar.isEmpty()) {
                throw new CannotDemangle();
            }
            String last = soFar.substring(Math.max(0, soFar.lastIndexOf("::") + 2));
            boolean constructorOrDestructor = last.startsWith("~") || last.equals(lastUnqualified) && isCtorName(soFar);
            return new Name(soFar, constructorOrDestructor ? "" : lastUnqualified, template);
        }

        /** A constructor repeats its class name: "A::A". */
        private static boolean isCtorName(String qualified) {
            int split = qualified.lastIndexOf("::");
            if (split < 0) {
                return false;
            }
            String owner = qualified.substring(0, split);
            String ownerLast = owner.substring(Math.max(0, owner.lastIndexOf("::") + 2));
            int templateStart = ownerLast.indexOf('<');
            return qualified.substring(split + 2).equals(templateStart < 0 ? ownerLast : ownerLast.substring(0, templateStart));
        }

        private Name localName(String[] methodQualifiers) {
            expect('Z');
            String function = encoding(false);
            expect('E');
            if (consume("s")) {
                discriminator();
                return new Name(function + "::string literal", "", false);
            }
            Name entity = name(methodQualifiers);
            discriminator();
            return new Name(function + "::" + entity.text, entity.unqualifiedName, entity.template);
        }

        private void discriminator() {
            if (consume("__")) {
                number();
                expect('_');
            } else if (consume("_")) {
                number();
            }
        }

        /** @param enclosingClass the previous component's name, which a constructor or destructor repeats */
        private Name unqualifiedName(String enclosingClass) {
            Name name;
            char c = peek();
            if (Character.isDigit(c)) {
                String source = sourceName();
                name = new Name(source, source, false);
            } else if (c == 'C' && (Character.isDigit(peek(1)) || peek(1) == 'I')) {
                at += peek(1) == 'I' ? 3 : 2;
                name = new Name(baseName(enclosingClass), enclosingClass, false);
            } else if (c == 'D' && (peek(1) == '0' || peek(1) == '1' || peek(1) == '2' || peek(1) == '4' || peek(1) == '5')) {
                at += 2;
                name = new Name("~" + baseName(enclosingClass), enclosingClass, false);
            } else if (c == 'U' && peek(1) == 'l') {
                at += 2;
                List<Node> parameters = new ArrayList<>();
                while (peek() != 'E') {
                    parameters.add(type());
                }
                at++;
                int index = lambdaOrUnnamedIndex();
                String lambda = "{lambda" + parameterList(parameters) + "#" + index + "}";
                name = new Name(lambda, lambda, false);
            } else if (c == 'U' && peek(1) == 't') {
                at += 2;
                int index = lambdaOrUnnamedIndex();
                String unnamed = "{unnamed type#" + index + "}";
                name = new Name(unnamed, unnamed, false);
            } else if (c == 'L') {
                at++; // Internal linkage marker before a source name (static members of anonymous namespaces).
                return unqualifiedName(enclosingClass);
            } else {
                String operator = operatorName();
                name = new Name(operator, operator, false);
            }
            while (consume("B")) {
                String tag = sourceName();
                name = new Name(name.text + "[abi:" + tag + "]", name.unqualifiedName, false);
            }
            return name;
        }

        private static String baseName(String enclosingClass) {
            if (enclosingClass.isEmpty()) {
                throw new CannotDemangle();
            }
            int templateStart = enclosingClass.indexOf('<');
            return templateStart < 0 ? enclosingClass : enclosingClass.substring(0, templateStart);
        }

        private String operatorName() {
            if (consume("cv")) {
                boolean outer = inEncodingName;
                inEncodingName = false;
                try {
                    return "operator " + type().text();
                } finally {
                    inEncodingName = outer;
                }
            }
            if (consume("li")) {
                return "operator\"\" " + sourceName();
            }
            if (at + 2 > input.length()) {
                throw new CannotDemangle();
            }
            String symbol = OPERATORS.get(input.substring(at, at + 2));
            if (symbol == null) {
                throw new CannotDemangle();
            }
            at += 2;
            return Character.isLetter(symbol.charAt(0)) ? "operator " + symbol : "operator" + symbol;
        }

        private String sourceName() {
            int length = number();
            if (length <= 0 || at + length > input.length()) {
                throw new CannotDemangle();
            }
            String name = input.substring(at, at + length);
            at += length;
            return name.startsWith("_GLOBAL__N") ? "(anonymous namespace)" : name;
        }

        private int number() {
            int start = at;
            while (Character.isDigit(peek())) {
                at++;
            }
            if (at == start || at - start > 9) {
                throw new CannotDemangle();
            }
            return Integer.parseInt(input, start, at, 10);
        }

        /** "_" is the first lambda or unnamed type of a scope (#1), "0_" the second (#2), ... */
        private int lambdaOrUnnamedIndex() {
            int index = Character.isDigit(peek()) ? number() + 2 : 1;
            expect('_');
            return index;
        }

        private int sequenceId() {
            if (peek() == '_') {
                return 0;
            }
            int value = 0;
            int digits = 0;
            while (Character.isDigit(peek()) || Character.isUpperCase(peek())) {
                char c = input.charAt(at++);
                value = value * 36 + (Character.isDigit(c) ? c - '0' : c - 'A' + 10);
                if (++digits > 5) {
                    throw new CannotDemangle();
                }
            }
            return value + 1;
        }

        private Node substitution() {
            expect('S');
            String standard = STANDARD_SUBSTITUTIONS.get(peek());
            if (standard != null && Character.isLowerCase(peek())) {
                at++;
                String unqualified = standard.substring(standard.lastIndexOf("::") + 2);
                int templateStart = unqualified.indexOf('<');
                return new Name(standard, templateStart < 0 ? unqualified : unqualified.substring(0, templateStart), false);
            }
            int index = sequenceId();
            expect('_');
            if (index >= substitutions.size()) {
                throw new CannotDemangle();
            }
            return substitutions.get(index);
        }

        private Node templateParameter() {
            expect('T');
            int index = sequenceId();
            expect('_');
            if (index >= templateParameters.size()) {
                throw new CannotDemangle();
            }
            return templateParameters.get(index);
        }

        private String templateArguments() {
            expect('I');
            boolean recordsParameters = inEncodingName;
            inEncodingName = false;
            List<Node> arguments = new ArrayList<>();
            try {
                while (!consume("E")) {
                    if (at >= input.length()) {
                        throw new CannotDemangle();
                    }
                    arguments.add(templateArgument());
                }
            } finally {
                inEncodingName = recordsParameters;
            }
            if (recordsParameters) {
                templateParameters = arguments;
            }
            StringBuilder out = new StringBuilder("<");
            for (int i = 0; i < arguments.size(); i++) {
                String text = arguments.get(i).text();
                if (!text.isEmpty()) {
                    out.append(out.length() > 1 ? ", " : "").append(text);
                }
            }
            if (out.charAt(out.length() - 1) == '>') {
                out.append(' ');
            }
            if (out.length() > MAX_OUTPUT) {
                throw new CannotDemangle();
            }
            return out.append('>').toString();
        }

        private Node templateArgument() {
            enter();
            try {
                if (peek() == 'L') {
                    return literal();
                }
                if (consume("J")) { // An argument pack.
                    List<String> elements = new ArrayList<>();
                    while (!consume("E")) {
                        if (at >= input.length()) {
                            throw new CannotDemangle();
                        }
                        elements.add(templateArgument().text());
                    }
                    return new Text(String.join(", ", elements));
                }
                if (peek() == 'X') {
                    throw new CannotDemangle(); // Expressions: out of this demangler's scope.
                }
                return type();
            } finally {
                depth--;
            }
        }

        private Node literal() {
            expect('L');
            if (consume("_Z")) {
                String encoding = encoding(true);
                expect('E');
                return new Text(encoding);
            }
            String typeCode;
            if (Character.isDigit(peek()) || peek() == 'N' || peek() == 'S') {
                typeCode = type().text(); // An enumeration: printed as a cast, "(oop_kind)0".
            } else {
                typeCode = String.valueOf(peek());
                at++;
            }
            boolean negative = consume("n");
            int start = at;
            while (at < input.length() && peek() != 'E') {
                at++;
            }
            String value = (negative ? "-" : "") + input.substring(start, at);
            expect('E');
            return new Text(switch (typeCode) {
                case "b" -> value.equals("0") ? "false" : "true";
                case "i" -> value;
                case "j" -> value + "u";
                case "l" -> value + "l";
                case "m" -> value + "ul";
                case "x" -> value + "ll";
                case "y" -> value + "ull";
                default -> "(" + BUILTIN_TYPES.getOrDefault(typeCode, typeCode) + ")" + value;
            });
        }

        private String cvQualifiers() {
            StringBuilder qualifiers = new StringBuilder();
            if (consume("r")) {
                qualifiers.append(" restrict");
            }
            if (consume("V")) {
                qualifiers.append(" volatile");
            }
            if (consume("K")) {
                qualifiers.append(" const");
            }
            return qualifiers.toString();
        }

        private Node type() {
            enter();
            try {
                return typeUnchecked();
            } finally {
                depth--;
            }
        }

        private Node typeUnchecked() {
            char c = peek();
            String builtin = at < input.length() ? BUILTIN_TYPES.get(String.valueOf(c)) : null;
            if (builtin != null && Character.isLowerCase(c)) {
                at++;
                return new Text(builtin);
            }
            if (c == 'D' && at + 2 <= input.length() && BUILTIN_TYPES.containsKey(input.substring(at, at + 2))) {
                at += 2;
                return new Text(BUILTIN_TYPES.get(input.substring(at - 2, at)));
            }
            if (c == 'u') {
                at++;
                return new Text(sourceName()); // A vendor's extended type.
            }
            Node result;
            switch (c) {
                case 'r', 'V', 'K' -> {
                    String qualifiers = cvQualifiers();
                    result = new Qualified(type(), qualifiers);
                }
                case 'P' -> {
                    at++;
                    result = new Indirection(type(), "*");
                }
                case 'R' -> {
                    at++;
                    result = new Indirection(type(), "&");
                }
                case 'O' -> {
                    at++;
                    result = new Indirection(type(), "&&");
                }
                case 'F' -> result = functionType("");
                case 'A' -> {
                    at++;
                    int start = at;
                    while (Character.isDigit(peek())) {
                        at++;
                    }
                    String dimension = input.substring(start, at);
                    expect('_');
                    result = new ArrayType(type(), dimension);
                }
                case 'M' -> {
                    at++;
                    Node classType = type();
                    String qualifiers = cvQualifiers();
                    Node member = peek() == 'F' ? functionType(qualifiers) : type();
                    result = new MemberPointer(classType, member);
                }
                case 'T' -> {
                    result = templateParameter();
                    if (peek() == 'I') {
                        substitutions.add(result);
                        result = new Text(result.text() + templateArguments());
                    }
                }
                case 'S' -> {
                    if (peek(1) == 't') {
                        result = name(new String[1]);
                    } else {
                        result = substitution();
                        if (peek() != 'I') {
                            return result; // A substitution is not itself a new substitution candidate.
                        }
                        result = new Text(result.text() + templateArguments());
                    }
                }
                case 'D' -> {
                    if (!consume("Dp")) {
                        throw new CannotDemangle(); // decltype and other D-types: out of scope.
                    }
                    result = type(); // A pack expansion prints as its pattern.
                }
                default -> {
                    if (!Character.isDigit(c) && c != 'N' && c != 'Z') {
                        throw new CannotDemangle();
                    }
                    result = name(new String[1]);
                }
            }
            substitutions.add(result);
            return result;
        }

        private Node functionType(String memberQualifiers) {
            expect('F');
            consume("Y"); // extern "C"
            Node returnType = type();
            List<Node> parameters = new ArrayList<>();
            String reference = "";
            while (!consume("E")) {
                if (at >= input.length()) {
                    throw new CannotDemangle();
                }
                if (peek() == 'R' && peek(1) == 'E' || peek() == 'O' && peek(1) == 'E') {
                    reference = peek() == 'R' ? " &" : " &&";
                    at++;
                    continue;
                }
                parameters.add(type());
            }
            return new FunctionType(returnType, parameters, memberQualifiers + reference);
        }
    }
}
