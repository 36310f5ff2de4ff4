package dev.attnstudio.app.markdown;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.scene.layout.VBox;

import java.util.function.Consumer;

/**
 * A Markdown document drawn as JavaFX nodes (see {@link MarkdownRenderer}), redrawn when {@link #markdownProperty()}
 * changes. Put it in a {@link javafx.scene.control.ScrollPane} that fits its width: paragraphs and table cells wrap.
 */
public final class MarkdownView extends VBox {

    private final StringProperty markdown = new SimpleStringProperty(this, "markdown", "");
    private final ObjectProperty<Consumer<String>> onLink = new SimpleObjectProperty<>(this, "onLink", url -> { });
    private final javafx.beans.property.BooleanProperty formulas =
            new javafx.beans.property.SimpleBooleanProperty(this, "formulas", false);
    private final MarkdownRenderer renderer = new MarkdownRenderer(url -> onLink.get().accept(url));

    public MarkdownView() {
        getStyleClass().add(MarkdownStyles.DOCUMENT);
        getStylesheets().add(MarkdownStyles.stylesheet());
        setFillWidth(true);
        markdown.addListener((obs, old, now) -> getChildren().setAll(formulas.get() ? renderer.renderWithFormulas(now)
                : renderer.render(MarkdownRenderer.parse(now))));
    }

    public MarkdownView(String text) {
        this();
        markdown.set(text);
    }

    /** The Markdown shown. */
    public StringProperty markdownProperty() {
        return markdown;
    }

    public void setMarkdown(String text) {
        markdown.set(text);
    }

    /** Whether {@code $...$} and {@code $$...$$} are drawn as TeX formulas (lesson pages); off by default. */
    public void setFormulas(boolean on) {
        formulas.set(on);
    }

    /** What a click on a link does, given its destination (nothing by default). */
    public ObjectProperty<Consumer<String>> onLinkProperty() {
        return onLink;
    }
}
