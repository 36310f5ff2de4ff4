package dev.attnstudio.app.main;

/**
 * What the prompt editor holds: the text (one prompt per line in batch mode), the optional second segment, and
 * an encoder-decoder's optional decoder ids ("0,17,5"; blank = the decoder start token).
 */
record PromptInput(String text, String pair, boolean batch, String decoder) {
}
