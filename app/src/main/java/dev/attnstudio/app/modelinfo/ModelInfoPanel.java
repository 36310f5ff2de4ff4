package dev.attnstudio.app.modelinfo;

import dev.attnstudio.app.markdown.MarkdownView;
import dev.attnstudio.app.theme.Styles;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import java.util.function.Consumer;

/**
 * The open model at a glance: its name, one line about it, its geometry, and its model card rendered from Markdown
 * (a sample's card from the catalog, a folder's README.md).
 */
public final class ModelInfoPanel extends VBox {

    /**
     * What the panel shows, as plain text.
     *
     * @param title       the model's name
     * @param description one line about it
     * @param facts       its family, geometry and where it was opened from, one line
     * @param card        its model card, Markdown
     */
    public record Content(String title, String description, String facts, String card) {

        /** No model open. */
        public static final Content NONE = new Content("No model", "Open a sample or a model folder from the File menu.",
                "", "");
    }

    private final Label title = new Label();
    private final Label description = new Label();
    private final Label facts = new Label();
    private final MarkdownView card = new MarkdownView();

    /**
     * @param onLink what a click on a link of the card does, given its destination
     */
    public ModelInfoPanel(Consumer<String> onLink) {
        super(6);
        setId("modelInfoPanel");
        getStyleClass().add(Styles.PANEL);
        title.setId("modelInfoTitle");
        title.getStyleClass().add(Styles.PANEL_TITLE);
        description.setId("modelInfoDescription");
        description.setWrapText(true);
        facts.setId("modelInfoFacts");
        facts.getStyleClass().add(Styles.MUTED);
        facts.setWrapText(true);
        card.setId("modelCard");
        card.onLinkProperty().set(onLink);
        ScrollPane scroll = new ScrollPane(card);
        scroll.setId("modelCardScroll");
        scroll.setFitToWidth(true);
        scroll.getStyleClass().add(Styles.TOKEN_SCROLL);
        scroll.setTooltip(new Tooltip("The model card: what the model is, how it was trained, what it was measured to do"));
        VBox.setVgrow(scroll, Priority.ALWAYS);
        getChildren().addAll(title, description, facts, scroll);
        show(Content.NONE);
    }

    /** Shows another model (or none). */
    public void show(Content content) {
        title.setText(content.title());
        description.setText(content.description());
        facts.setText(content.facts());
        facts.setManaged(!content.facts().isEmpty());
        card.setMarkdown(content.card());
    }

    /** The rendered card (tests, and an export some day). */
    public MarkdownView card() {
        return card;
    }
}
