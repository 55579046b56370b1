package dev.loraplane.engine.tokenizer;

import static dev.loraplane.engine.tokenizer.ChatMessage.assistant;
import static dev.loraplane.engine.tokenizer.ChatMessage.system;
import static dev.loraplane.engine.tokenizer.ChatMessage.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loraplane.engine.tiny.ByteLevelTokenizer;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Real chat templates, copied verbatim from public sources (src/test/resources/chat-templates/README.md
 * says which), render exactly what transformers' {@code apply_chat_template(..., tokenize=False)}
 * renders. Each expected string is what transformers 5.18.0 ({@code render_jinja_template}, Jinja2
 * 3.1.6) rendered for the same template and messages; where the source repositories state an expected
 * output (Zephyr, Mistral) it agrees.
 */
class ChatTemplateTest {

    static ChatTemplate fixture(String name) throws URISyntaxException {
        Path file = Path.of(ChatTemplateTest.class.getResource("/chat-templates/" + name).toURI());
        return ChatTemplate.of(TokenizerConfig.read(file));
    }

    @Test
    void qwen25AddsItsDefaultSystemPromptToChatMl() throws Exception {
        ChatTemplate qwen = fixture("qwen2.5-7b-instruct.json");
        assertThat(qwen.render(List.of(user("hi")), true)).isEqualTo(
                "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                        + "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
        assertThat(qwen.render(List.of(user("What is 2+2?"), assistant("4")), false)).isEqualTo(
                "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                        + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n");
    }

    @Test
    void contentComesOutAsItWentInControlCharactersAndQuotesIncluded() throws Exception {
        String content = "\u001b[31mred\u001b[0m, a bell \u0007, \\ a backslash, 'single' and \"double\" quotes,\ttab\r\n";
        assertThat(fixture("qwen2.5-7b-instruct.json").render(List.of(system("s"), user(content)), false))
                .isEqualTo("<|im_start|>system\ns<|im_end|>\n<|im_start|>user\n" + content + "<|im_end|>\n");
    }

    @Test
    void qwen25UsesTheGivenSystemPromptInstead() throws Exception {
        assertThat(fixture("qwen2.5-7b-instruct.json").render(
                List.of(system("You are terse."), user("What is 2+2?"), assistant("4"), user("And 3+3?")), true))
                .isEqualTo("<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
                        + "<|im_start|>assistant\n4<|im_end|>\n<|im_start|>user\nAnd 3+3?<|im_end|>\n"
                        + "<|im_start|>assistant\n");
    }

    @Test
    void llama31TrimsContentAndDatesItsSystemHeader() throws Exception {
        ChatTemplate llama = fixture("llama-3.1-8b-instruct.json");
        assertThat(llama.render(List.of(system("  You are a pirate.  "), user(" Hello! "), assistant("Arr."),
                user("Where is the treasure?")), true)).isEqualTo(
                "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                        + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"
                        + "You are a pirate.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\nArr.<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nWhere is the treasure?<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n");
        assertThat(llama.render(List.of(user("hi")), false)).isEqualTo(
                "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                        + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>");
    }

    @Test
    void llama31QuotesAToolResultAsJsonBecauseAPythonStringIsIterable() throws Exception {
        assertThat(fixture("llama-3.1-8b-instruct.json").render(
                List.of(user("Weather?"), new ChatMessage("tool", "22.0")), true)).isEqualTo(
                "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                        + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nWeather?<|eot_id|>"
                        + "<|start_header_id|>ipython<|end_header_id|>\n\n\"22.0\"<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void mistralFoldsTheSystemPromptIntoTheFirstInstruction() throws Exception {
        ChatTemplate mistral = fixture("mistral-7b-instruct-v0.2.json");
        assertThat(mistral.render(List.of(system("Be brief."), user("Hello"), assistant("Hi there"),
                user("Who are you?")), true))
                .isEqualTo("<s> [INST] Be brief.\n\nHello [/INST] Hi there</s> [INST] Who are you? [/INST]");
        assertThat(mistral.render(List.of(user("Hello"), assistant("Hi there")), false))
                .isEqualTo("<s> [INST] Hello [/INST] Hi there</s>");
    }

    @Test
    void mistralRejectsRolesThatDoNotAlternateWithItsOwnMessage() throws Exception {
        ChatTemplate mistral = fixture("mistral-7b-instruct-v0.2.json");
        assertThatThrownBy(() -> mistral.render(List.of(user("a"), user("b")), true))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessage("After the optional system message, conversation roles must alternate"
                        + " user/assistant/user/assistant/...");
        assertThatThrownBy(() -> mistral.render(List.of(user("a"), new ChatMessage("tool", "x")), true))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessage("Only user and assistant roles are supported, with the exception of an initial"
                        + " optional system message!");
    }

    @Test
    void zephyrTemplateKeepsTheNewlinesAfterExpressionsOnly() throws Exception {
        ChatTemplate zephyr = fixture("zephyr-7b-beta.json");
        assertThat(zephyr.render(List.of(
                system("You are a friendly chatbot who always responds in the style of a pirate"),
                user("How many helicopters can a human eat in one sitting?")), true))
                .isEqualTo("<|system|>\nYou are a friendly chatbot who always responds in the style of a pirate</s>\n"
                        + "<|user|>\nHow many helicopters can a human eat in one sitting?</s>\n<|assistant|>\n");
        assertThat(zephyr.render(List.of(user("Hello, how are you?"), assistant("I'm doing great."),
                user("Show me!")), false))
                .isEqualTo("<|user|>\nHello, how are you?</s>\n<|assistant|>\nI'm doing great.</s>\n"
                        + "<|user|>\nShow me!</s>\n");
    }

    @Test
    void pythonIdiomsOfRealTemplatesBehaveAsInJinja2() {
        ChatTemplate template = ChatTemplate.of("""
                {%- set ns = namespace(count=0, roles='') -%}
                {%- for m in messages -%}
                {%- set ns.count = ns.count + 1 -%}
                {%- set ns.roles = ns.roles + m.role[0] + m.role[-1] -%}
                {%- if m.content.startswith('/') -%}cmd:{{ m.content[1:].strip() }};
                {%- elif m['content'].rstrip().endswith(('?', '!')) -%}q:{{ m.content | trim }};
                {%- else -%}{{ m.role.upper() }}:{{ m.content.split() | length }};
                {%- endif -%}
                {%- if loop.last %} last={{ loop.index }}{% endif -%}
                {%- endfor %}
                |{{ messages[-1]['role'] }}|{{ ns.count }}|{{ ns.roles }}|{{ messages | length }}
                {%- if extra is defined %}|extra{% endif %}
                {%- if 'content' in messages[0] %}|has-content{% endif %}
                {%- if 'tool_calls' not in messages[0] %}|no-tools{% endif %}
                |{{ messages[0] | tojson }}
                |{{ messages[0].content.replace('a', 'A') }}|{{ messages[0].content.lstrip() }}\
                |{{ messages[0].content.rstrip() }}|{{ 'hello wORLD 1st'.title() }}|{{ 'hELLO'.capitalize() }}\
                |{{ messages[1:] | length }}
                |{{ messages[0].content.lower() }}|{{ 'a,b,,c'.split(',') | length }}\
                |{{ 'x.y.z'.split('.', 1)[-1] }}|{{ ', '.join(['p', 'q']) }}\
                |{{ messages | selectattr('role', 'equalto', 'user') | list | length }}
                {%- for k, v in messages[0].items() %}|{{ k }}={{ v | trim }}{% endfor %}
                {%- for m in messages if m.role != 'assistant' %}{% if loop.index > 1 %}{% break %}{% endif %}\
                |first-non-assistant={{ m.role }}{% endfor %}
                """, Map.of());
        List<ChatMessage> messages = List.of(
                user("\u00a0 Hello a world \u00a0"), assistant("/ run it "), user(" why? "));
        assertThat(template.render(messages, true)).isEqualTo(
                "USER:3;cmd:run it;q:why?; last=3|user|3|uratur|3|has-content|no-tools"
                        + "|{\"role\": \"user\", \"content\": \"\u00a0 Hello a world \u00a0\"}\n"
                        + "|\u00a0 Hello A world \u00a0|Hello a world \u00a0|\u00a0 Hello a world"
                        + "|Hello World 1St|Hello|2\n"
                        + "|\u00a0 hello a world \u00a0|4|y.z|p, q|2|role=user|content=Hello a world"
                        + "|first-non-assistant=user");
    }

    @Test
    void rendersConcurrently() throws Exception {
        ChatTemplate llama = fixture("llama-3.1-8b-instruct.json");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                String text = "question " + i;
                results.add(pool.submit(() -> llama.render(List.of(user(text)), true)
                        .contains("<|start_header_id|>user<|end_header_id|>\n\n" + text + "<|eot_id|>")));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void tojsonTakesPythonsKeywordArguments() {
        ChatTemplate template = ChatTemplate.of("{{ messages | tojson(indent=2) }}", Map.of());
        assertThat(template.render(List.of(user("hi")), false))
                .isEqualTo("[\n  {\n    \"role\": \"user\",\n    \"content\": \"hi\"\n  }\n]");
    }

    @Test
    void theBuiltInModelsTemplateIsChatMl() {
        ChatTemplate chatMl = ChatTemplate.of(ByteLevelTokenizer.CHAT_TEMPLATE, Map.of());
        assertThat(chatMl.render(List.of(user("hi")), true))
                .isEqualTo("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
        assertThat(chatMl.render(List.of(system("s"), user("q"), assistant("a")), false))
                .isEqualTo("<|im_start|>system\ns<|im_end|>\n<|im_start|>user\nq<|im_end|>\n"
                        + "<|im_start|>assistant\na<|im_end|>\n");
    }

    @Test
    void specialTokensAreThoseTheConfigSets() {
        TokenizerConfig config = TokenizerConfig.empty().withChatTemplate("[{{ bos_token }}|{{ eos_token }}]");
        assertThat(ChatTemplate.of(config).render(List.of(), false)).isEqualTo("[|]");
        TokenizerConfig withTokens = new TokenizerConfig("<s>", "</s>", null, null, false, false, false,
                "[{{ bos_token }}|{{ eos_token }}]", Map.of(), Long.MAX_VALUE);
        assertThat(ChatTemplate.of(withTokens).render(List.of(), false)).isEqualTo("[<s>|</s>]");
    }

    @Test
    void aBrokenTemplateNamesItsLine() {
        ChatTemplate broken = ChatTemplate.of("hello\n{% for m in messages %}{{ m.content }}", Map.of());
        assertThatThrownBy(() -> broken.render(List.of(user("x")), false))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("Missing end tag: endfor");
    }

    @Test
    void aConfigWithoutDefaultTemplateSaysWhichItHas() {
        assertThatThrownBy(() -> ChatTemplate.of(TokenizerConfig.empty()))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("sets no chat_template");
        TokenizerConfig named = new TokenizerConfig(null, null, null, null, false, false, false, null,
                Map.of("tool_use", "x"), Long.MAX_VALUE);
        assertThatThrownBy(() -> ChatTemplate.of(named))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("names tool_use but none 'default'");
    }
}
