package dev.loraplane.engine.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;

/**
 * Jinjava set up as transformers sets up Jinja2 for chat templates: {@code trim_blocks} and
 * {@code lstrip_blocks} on, the globals {@code raise_exception} and {@code strftime_now}, its
 * {@code tojson}, and Python's semantics where Jinjava's differ ({@code str} methods, {@code trim},
 * {@code is iterable}).
 */
final class JinjaEnvironment {

    private JinjaEnvironment() {}

    /** Thrown by {@code raise_exception(message)}; {@link ChatTemplate} finds it behind Jinjava's wrapping. */
    static final class Raised extends RuntimeException {
        Raised(String message) {
            super(message);
        }
    }

    static Jinjava create() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStrings());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                // Jinja2 drops one trailing newline of the template source, which ChatTemplate does;
                // Jinjava's own option would drop it from the output instead.
                .withKeepTrailingNewline(true)
                .withElResolver(resolver)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withEvaluateMapKeys(true)
                        .withIterateOverMapKeys(true)
                        // Off: Jinjava's Python-style printer writes a string's control characters as
                        // JSON escapes, so an ESC or BEL in a message reached the model as six characters.
                        .withUsePyishObjectMapper(false)
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withAllowAdjacentTextNodes(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withKeepNullableLoopValues(true)
                        .withHandleBackslashInQuotesOnly(true)
                        .build())
                .build();
        Jinjava jinjava = new Jinjava(config);
        Context globals = jinjava.getGlobalContext();
        globals.registerFunction(new ELFunctionDefinition(
                "", "raise_exception", JinjaEnvironment.class, "raiseException", String.class));
        globals.registerFunction(new ELFunctionDefinition(
                "", "strftime_now", JinjaEnvironment.class, "strftimeNow", String.class));
        globals.registerFilter(new ToJson());
        globals.registerFilter(new Trim());
        globals.registerExpTest(new IsIterable());
        return jinjava;
    }

    static Object raiseException(String message) {
        throw new Raised(message);
    }

    static String strftimeNow(String format) {
        return Strftime.format(format, LocalDateTime.now());
    }

    /** {@code tojson(indent=None, ensure_ascii=False, separators=None, sort_keys=False)}, as transformers defines it. */
    private static final class ToJson implements Filter {

        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, args, Map.of());
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
            Object separators = kwargs.get("separators");
            return new PythonJson(
                    Boolean.TRUE.equals(kwargs.get("ensure_ascii")),
                    indent == null ? -1 : ((Number) indent).intValue(),
                    separators == null ? null : ((List<?>) separators).stream().map(Object::toString).toList(),
                    Boolean.TRUE.equals(kwargs.get("sort_keys")))
                    .dumps(var);
        }
    }

    /** {@code trim}: Python's {@code str.strip()}, which knows Unicode spaces, where Jinjava's trims only ASCII. */
    private static final class Trim implements Filter {

        @Override
        public String getName() {
            return "trim";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return PythonStrings.strip(var == null ? "" : var.toString(),
                    args.length > 0 ? args[0] : null, true, true);
        }
    }

    /** {@code is iterable}: in Python strings and dicts are iterable too (Llama 3.1's tool results rely on it). */
    private static final class IsIterable implements ExpTest {

        @Override
        public String getName() {
            return "iterable";
        }

        @Override
        public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return var instanceof Iterable<?> || var instanceof Map<?, ?> || var instanceof CharSequence
                    || (var != null && var.getClass().isArray());
        }
    }
}
