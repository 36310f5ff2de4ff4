package dev.attnstudio.app.pipeline;

import dev.attnstudio.app.inspector.InspectorStyles;
import javafx.application.Platform;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.css.PseudoClass;
import javafx.geometry.Bounds;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TitledPane;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The forward pass as a diagram: one collapsible column per unit (embedding, each block, unembedding), its
 * steps as boxes top to bottom, steps that do not read each other side by side, a sub-module's steps framed
 * together. Each box shows the step's short name and shape (recorded once computed, documented before);
 * computed and pending steps look different and the step under the cursor is highlighted and kept in view.
 *
 * <p>Clicking a computed step, or pressing Enter or Space on it, fires {@link #onJumpProperty()} with its
 * {@link StepTarget}; pending steps do nothing (the stepper only moves over computed steps without work).
 * Fed by {@link #dataProperty()}; builds its boxes again only when the pass's steps change, so a step
 * forward restyles two boxes instead of redrawing the diagram.
 */
public final class PipelineView extends BorderPane {

    /** A request to move the cursor to step {@code index} of pass {@code group}. */
    public record StepTarget(int group, int index) {
    }

    public static final String STYLE = "pipeline-view";
    static final PseudoClass COMPUTED = PseudoClass.getPseudoClass("computed");
    static final PseudoClass CURRENT = PseudoClass.getPseudoClass("current");

    private final ObjectProperty<PipelineData> data = new SimpleObjectProperty<>(this, "data", PipelineData.EMPTY);
    private final ObjectProperty<Consumer<StepTarget>> onJump = new SimpleObjectProperty<>(this, "onJump");

    private final HBox columns = new HBox();
    private final ScrollPane scroll = new ScrollPane(columns);
    private final Label summary = new Label();
    private final List<StepBox> boxes = new ArrayList<>();
    private final List<TitledPane> unitPanes = new ArrayList<>();
    /** The column each box sits in, by step index. */
    private final List<TitledPane> paneOfBox = new ArrayList<>();
    /** Hook names and group of what the boxes show, to tell a new pass from a step within the same one. */
    private List<String> shownHooks = List.of();
    private int shownGroup = Integer.MIN_VALUE;

    public PipelineView() {
        getStyleClass().add(STYLE);
        getStylesheets().add(InspectorStyles.stylesheet());
        columns.getStyleClass().add("pipeline-columns");
        columns.setAlignment(Pos.TOP_LEFT);
        scroll.getStyleClass().add("pipeline-scroll");
        scroll.setFitToHeight(false);
        scroll.setPannable(true);
        scroll.setTooltip(new Tooltip("The forward pass, unit by unit; click a computed step to move the cursor there"));
        summary.getStyleClass().add("pipeline-summary");
        summary.setTooltip(new Tooltip("Which pass is shown and how many of its steps are computed"));
        HBox top = new HBox(12, summary, legend());
        top.setAlignment(Pos.CENTER_LEFT);
        top.getStyleClass().add("pipeline-header");
        setTop(top);
        setCenter(scroll);
        data.addListener((obs, old, now) -> show(now == null ? PipelineData.EMPTY : now));
        show(PipelineData.EMPTY);
    }

    public ObjectProperty<PipelineData> dataProperty() {
        return data;
    }

    public void setData(PipelineData d) {
        data.set(d);
    }

    public PipelineData getData() {
        return data.get();
    }

    /** Called with the step a user picked (computed steps only), on the FX thread. */
    public ObjectProperty<Consumer<StepTarget>> onJumpProperty() {
        return onJump;
    }

    public void setOnJump(Consumer<StepTarget> handler) {
        onJump.set(handler);
    }

    /** The box of step {@code index} of the pass shown (for tests and for export). */
    public Region stepBox(int index) {
        return boxes.get(index);
    }

    /** The collapsible column of a unit, by its position in the pass. */
    public TitledPane unitPane(int unit) {
        return unitPanes.get(unit);
    }

    private static HBox legend() {
        HBox legend = new HBox(6);
        legend.setAlignment(Pos.CENTER_LEFT);
        legend.getStyleClass().add("pipeline-legend");
        for (String[] entry : new String[][] {
                {"computed", "A computed step: click to move the cursor there"},
                {"pending", "Not computed yet in this pass"},
                {"current", "The step under the cursor"}}) {
            Label swatch = new Label(entry[0]);
            swatch.getStyleClass().addAll("pipeline-node", "pipeline-legend-item");
            swatch.pseudoClassStateChanged(COMPUTED, !entry[0].equals("pending"));
            swatch.pseudoClassStateChanged(CURRENT, entry[0].equals("current"));
            swatch.setTooltip(new Tooltip(entry[1]));
            legend.getChildren().add(swatch);
        }
        return legend;
    }

    private void show(PipelineData d) {
        List<String> hooks = d.nodes().stream().map(PipelineData.Node::hook).toList();
        if (d.group() != shownGroup || !hooks.equals(shownHooks)) {
            rebuild(d);
            shownHooks = hooks;
            shownGroup = d.group();
        }
        for (PipelineData.Node n : d.nodes()) {
            boxes.get(n.index()).update(n, n.index() == d.current());
        }
        for (int u = 0; u < d.units().size(); u++) {
            List<PipelineData.Node> nodes = d.units().get(u).nodes();
            boolean here = d.current() >= nodes.get(0).index() && d.current() <= nodes.get(nodes.size() - 1).index();
            unitPanes.get(u).pseudoClassStateChanged(CURRENT, here);
        }
        int steps = d.nodes().size();
        summary.setText(steps == 0 ? "No pass yet: enter a prompt and step"
                : String.format(Locale.ROOT, "Pass %d (%s): %d of %d steps computed", d.group() + 1,
                d.kind().name().toLowerCase(Locale.ROOT), d.executed(), steps));
        if (d.current() >= 0) {
            // after the next layout pass, when the boxes have their final positions
            int current = d.current();
            Platform.runLater(() -> scrollIntoView(current));
        }
    }

    private void rebuild(PipelineData d) {
        boxes.clear();
        unitPanes.clear();
        paneOfBox.clear();
        columns.getChildren().clear();
        for (PipelineData.Unit unit : d.units()) {
            VBox body = new VBox();
            body.getStyleClass().add("pipeline-unit-body");
            HBox row = null;
            int rowIndex = -1;
            VBox section = null;
            String sectionModule = null;
            VBox target = body;                             // where sections go: the body, or a parallel branch's column
            Map<String, Integer> sectionAt = new HashMap<>(); // hook -> index of its section among body's children
            List<PipelineData.Node> nodes = unit.nodes();
            for (int i = 0; i < nodes.size(); i++) {
                PipelineData.Node n = nodes.get(i);
                if (n.branchOf() != null && target == body && sectionAt.containsKey(n.branchOf())) {
                    target = branches(body, sectionAt.get(n.branchOf()) + 1);
                    sectionModule = null;
                } else if (n.branchOf() == null && target != body) {
                    target = body; // the join: below both branches
                    sectionModule = null;
                }
                if (!n.module().equals(sectionModule)) {
                    sectionModule = n.module();
                    section = new VBox();
                    if (!n.module().isEmpty() && runLength(nodes, i) > 1) {
                        section.getStyleClass().add("pipeline-section");
                        Label title = new Label(PipelineData.moduleTitle(n.module()));
                        title.getStyleClass().add("pipeline-section-title");
                        title.setTooltip(new Tooltip("Steps of the sub-module " + n.module()));
                        section.getChildren().add(title);
                    }
                    if (!target.getChildren().isEmpty() || target != body) {
                        target.getChildren().add(arrow());
                    }
                    target.getChildren().add(section);
                    rowIndex = -1;
                }
                if (target == body) {
                    sectionAt.put(n.hook(), body.getChildren().size() - 1);
                }
                if (n.row() != rowIndex) {
                    if (rowIndex >= 0) {
                        section.getChildren().add(arrow());
                    }
                    row = new HBox();
                    row.getStyleClass().add("pipeline-row");
                    row.setAlignment(Pos.CENTER);
                    section.getChildren().add(row);
                    rowIndex = n.row();
                }
                StepBox box = new StepBox(d.group(), n.index());
                boxes.add(box);
                row.getChildren().add(box);
            }
            TitledPane pane = new TitledPane(unit.title(), body);
            pane.getStyleClass().add("pipeline-unit");
            pane.setTooltip(new Tooltip(unit.title() + " (" + unit.name() + "): " + nodes.size()
                    + " steps; click the title to fold it"));
            pane.setAnimated(false);
            unitPanes.add(pane);
            nodes.forEach(n -> paneOfBox.add(pane));
            if (!columns.getChildren().isEmpty()) {
                Label between = new Label("\u2192");
                between.getStyleClass().add("pipeline-between");
                columns.getChildren().add(between);
            }
            columns.getChildren().add(pane);
        }
    }

    /**
     * Two parallel branches from one step (GPT-NeoX's parallel residual): the body's children from {@code from} on
     * (the first branch, drawn so far) move into a left column, beside an empty right column for the second; both
     * columns hang below the step they start from. Returns the right column.
     */
    private static VBox branches(VBox body, int from) {
        VBox first = new VBox();
        first.getChildren().addAll(new ArrayList<>(body.getChildren().subList(from, body.getChildren().size())));
        if (first.getChildren().isEmpty() || !first.getChildren().get(0).getStyleClass().contains("pipeline-arrow")) {
            first.getChildren().add(0, arrow());
        }
        VBox second = new VBox();
        HBox both = new HBox(first, second);
        both.getStyleClass().add(BRANCHES_STYLE);
        both.setSpacing(12);
        both.setAlignment(Pos.TOP_CENTER);
        body.getChildren().add(both);
        return second;
    }

    /** Style class of the box holding two parallel branches side by side. */
    static final String BRANCHES_STYLE = "pipeline-branches";

    private static int runLength(List<PipelineData.Node> nodes, int from) {
        int n = 0;
        while (from + n < nodes.size() && nodes.get(from + n).module().equals(nodes.get(from).module())) {
            n++;
        }
        return n;
    }

    private static Label arrow() {
        Label a = new Label("\u2193");
        a.getStyleClass().add("pipeline-arrow");
        a.setMaxWidth(Double.MAX_VALUE);
        a.setAlignment(Pos.CENTER);
        return a;
    }

    /** Scrolls the least needed to show a step's box whole (its column's title, if the column is folded). */
    private void scrollIntoView(int index) {
        if (index >= boxes.size()) {
            return; // the data changed again before this ran
        }
        TitledPane pane = paneOfBox.get(index);
        Region target = pane.isExpanded() ? boxes.get(index) : pane;
        Bounds content = columns.getLayoutBounds();
        Bounds view = scroll.getViewportBounds();
        Bounds b = columns.sceneToLocal(target.localToScene(target.getLayoutBounds()));
        double extraX = content.getWidth() - view.getWidth();
        double extraY = content.getHeight() - view.getHeight();
        if (b == null) {
            return;
        }
        if (extraX > 0) {
            double left = scroll.getHvalue() * extraX;
            if (b.getMinX() < left || b.getMaxX() > left + view.getWidth()) {
                double x = Math.max(0, Math.min(extraX, b.getMinX() - (view.getWidth() - b.getWidth()) / 2));
                scroll.setHvalue(x / extraX);
            }
        }
        if (extraY > 0) {
            double top = scroll.getVvalue() * extraY;
            if (b.getMinY() < top || b.getMaxY() > top + view.getHeight()) {
                double y = Math.max(0, Math.min(extraY, b.getMinY() - (view.getHeight() - b.getHeight()) / 2));
                scroll.setVvalue(y / extraY);
            }
        }
    }

    /** One step: its short name over its shape. */
    private final class StepBox extends VBox {
        private final int group;
        private final int index;
        private final Label label = new Label();
        private final Label shape = new Label();
        private final Tooltip tip = new Tooltip();
        private boolean computed;

        StepBox(int group, int index) {
            this.group = group;
            this.index = index;
            getStyleClass().add("pipeline-node");
            label.getStyleClass().add("pipeline-node-label");
            shape.getStyleClass().add("pipeline-node-shape");
            getChildren().addAll(label, shape);
            setAlignment(Pos.CENTER);
            setFocusTraversable(true);
            Tooltip.install(this, tip);
            addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
                if (e.getButton() == MouseButton.PRIMARY) {
                    requestFocus();
                    jump();
                }
            });
            addEventHandler(KeyEvent.KEY_PRESSED, e -> {
                if (e.getCode() == KeyCode.ENTER || e.getCode() == KeyCode.SPACE) {
                    jump();
                    e.consume();
                }
            });
        }

        void update(PipelineData.Node n, boolean current) {
            computed = n.computed();
            label.setText(n.label());
            shape.setText(n.shape());
            pseudoClassStateChanged(COMPUTED, n.computed());
            pseudoClassStateChanged(CURRENT, current);
            tip.setText(n.hook() + "\n" + (n.computed() ? "shape " : "documented shape ") + n.shape()
                    + "\n" + n.math() + "\n" + (n.computed() ? "Click to move the cursor here" : "Not computed yet"));
        }

        private void jump() {
            Consumer<StepTarget> handler = onJump.get();
            if (computed && handler != null) {
                handler.accept(new StepTarget(group, index));
            }
        }
    }
}
