package dev.attnstudio.app.tokens;

import java.net.URL;
import java.util.Objects;

/** Style-class names for generated tokens and text, which {@code tokens.css} styles over the theme's colour tokens. */
public final class TokenStyles {

    /** A chip of a token the model generated. */
    public static final String GENERATED_CHIP = "token-generated";
    /** Text the model generated, set apart from the prompt's. */
    public static final String GENERATED_TEXT = "generated-text";
    /** The prompt's text beside generated text. */
    public static final String PROMPT_TEXT = "prompt-text";

    private TokenStyles() {
    }

    /** The stylesheet: rules over the theme's semantic colour tokens ({@code -as-*}) only, so both themes apply. */
    public static String stylesheet() {
        URL url = Objects.requireNonNull(TokenStyles.class.getResource("/dev/attnstudio/app/tokens/tokens.css"),
                "tokens.css is missing");
        return url.toExternalForm();
    }
}
