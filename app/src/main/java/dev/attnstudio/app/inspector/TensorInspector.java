package dev.attnstudio.app.inspector;

import dev.attnstudio.engine.metrics.TensorStats;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.css.PseudoClass;
import javafx.geometry.Pos;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.Spinner;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The tensor of the current step: its hook name, shape and dtype, statistics of its values (min, max, mean,
 * std of the finite values; NaN and infinity counts), a histogram, and a table of its values with a row per
 * position and a column per entry of the last axis. For tensors with more axes (attention [B, H, T, K],
 * per-head [B, T, H, h], residual [B, T, d]) the batch row and head are chosen above the table.
 *
 * <p>The table is a virtualized {@link TableView}: only visible rows get cells, and columns come in windows
 * of {@value #COLUMN_WINDOW} (a logits row of 50257 entries is read one window at a time), so no tensor
 * creates more than a screenful of cells. Fed by {@link #dataProperty()}; does no arithmetic itself.
 */
public final class TensorInspector extends VBox {

    public static final String STYLE = "tensor-inspector";
    /** Value columns shown at once. */
    public static final int COLUMN_WINDOW = 64;
    private static final PseudoClass WARNING = PseudoClass.getPseudoClass("warning");

    private final ObjectProperty<InspectorData> data = new SimpleObjectProperty<>(this, "data", InspectorData.EMPTY);

    private final Label hook = new Label();
    private final Label shape = new Label();
    private final Label note = new Label();
    private final GridPane statsGrid = new GridPane();
    private final List<Label> statValues = new ArrayList<>();
    private final HistogramView histogram = new HistogramView();
    private final HBox selectors = new HBox(10);
    private final Map<Integer, Spinner<Integer>> spinners = new HashMap<>();
    private final ComboBox<Integer> columnWindow = new ComboBox<>();
    private final TableView<Integer> table = new TableView<>();
    private final VBox body;
    /** One index per axis of the tensor shown; the entries of the row and column axes are unused. */
    private long[] selection = new long[0];

    /** Statistic rows, in the order shown. */
    private static final String[][] STATS = {
            {"values", "Number of values in the tensor"},
            {"min", "Smallest finite value"},
            {"max", "Largest finite value"},
            {"mean", "Mean of the finite values"},
            {"std", "Standard deviation of the finite values (population: divided by n)"},
            {"NaN", "Values that are not a number: a sign of a broken computation"},
            {"+inf", "Values that are +infinity"},
            {"-inf", "Values that are -infinity (in masked scores and masks these are the blocked cells)"}};

    public TensorInspector() {
        getStyleClass().add(STYLE);
        getStylesheets().add(InspectorStyles.stylesheet());
        setSpacing(6);
        hook.getStyleClass().add("inspector-hook");
        hook.setId("inspectorHook");
        hook.setTooltip(new Tooltip("Hook name of the current step's tensor"));
        shape.getStyleClass().add("inspector-note");
        shape.setId("inspectorShape");
        shape.setTooltip(new Tooltip("Recorded shape, dtype, and the shape the hook table documents"));
        note.getStyleClass().add("inspector-note");
        note.setWrapText(true);
        note.setId("inspectorNote");

        statsGrid.setHgap(10);
        statsGrid.setVgap(1);
        for (int i = 0; i < STATS.length; i++) {
            Label name = new Label(STATS[i][0]);
            name.getStyleClass().add("inspector-stat-name");
            name.setTooltip(new Tooltip(STATS[i][1]));
            Label value = new Label();
            value.getStyleClass().add("inspector-stat-value");
            value.setId("stat-" + STATS[i][0].replace("+", "pos").replace("-", "neg"));
            value.setTooltip(new Tooltip(STATS[i][1]));
            statValues.add(value);
            statsGrid.addRow(i, name, value);
        }
        histogram.setId("inspectorHistogram");
        Tooltip.install(histogram, new Tooltip("Histogram of the finite values; hover a bar for its range and count"));
        HBox.setHgrow(histogram, Priority.ALWAYS);
        HBox summary = new HBox(16, statsGrid, histogram);

        selectors.setAlignment(Pos.CENTER_LEFT);
        columnWindow.setTooltip(new Tooltip("Which entries of the last axis the table shows ("
                + COLUMN_WINDOW + " at a time)"));
        columnWindow.setOnAction(e -> rebuildColumns());
        columnWindow.setId("inspectorColumns");

        table.getStyleClass().add("inspector-table");
        table.setId("inspectorTable");
        table.setFixedCellSize(22);
        table.setColumnResizePolicy(TableView.UNCONSTRAINED_RESIZE_POLICY);
        table.setTooltip(new Tooltip("Values of the tensor: a row per position, a column per entry of the last axis"));
        table.setPlaceholder(new Label("No values"));
        VBox.setVgrow(table, Priority.ALWAYS);

        body = new VBox(6, summary, selectors, table);
        VBox.setVgrow(body, Priority.ALWAYS);
        getChildren().addAll(hook, shape, note, body);
        data.addListener((obs, old, now) -> show(now == null ? InspectorData.EMPTY : now));
        show(InspectorData.EMPTY);
    }

    public ObjectProperty<InspectorData> dataProperty() {
        return data;
    }

    public void setData(InspectorData d) {
        data.set(d);
    }

    public InspectorData getData() {
        return data.get();
    }

    /** The value table (rows are positions; column 0 labels them, the others hold values). */
    public TableView<Integer> table() {
        return table;
    }

    /** The index chosen on every axis (row and column axes unused). */
    public long[] selection() {
        return selection.clone();
    }

    /** Chooses an index on a selector axis (batch row, head), as its spinner does. */
    public void select(int axis, int index) {
        Spinner<Integer> spinner = spinners.get(axis);
        if (spinner == null) {
            throw new IllegalArgumentException("axis " + axis + " has no selector; these do: " + spinners.keySet());
        }
        spinner.getValueFactory().setValue(index);
    }

    /** The first value column shown. */
    public int firstColumn() {
        Integer v = columnWindow.getValue();
        return v == null ? 0 : v;
    }

    private void show(InspectorData d) {
        note.setText(d.note());
        note.setVisible(!d.note().isEmpty());
        note.setManaged(!d.note().isEmpty());
        body.setVisible(d.available());
        body.setManaged(d.available());
        if (!d.available()) {
            hook.setText("");
            shape.setText("");
            histogram.setStats(null);
            table.getColumns().clear();
            table.getItems().clear();
            return;
        }
        hook.setText(d.tensor().name());
        shape.setText(Arrays.toString(d.tensor().shape()) + "  \u00b7  " + d.dtype()
                + "  \u00b7  documented " + d.documentedShape() + "  \u00b7  axes " + String.join(", ", d.axes()));
        showStats(d.stats());
        histogram.setStats(d.stats());

        selection = new long[d.axes().size()];
        selectors.getChildren().clear();
        spinners.clear();
        for (int axis : d.selectorAxes()) {
            int size = (int) d.tensor().shape()[axis];
            Label title = new Label(InspectorData.axisTitle(d.axes().get(axis)));
            title.getStyleClass().add("inspector-stat-name");
            Spinner<Integer> spinner = new Spinner<>(0, Math.max(0, size - 1), 0);
            spinner.setPrefWidth(80);
            spinner.setEditable(true);
            spinner.setId("inspectorAxis" + axis);
            spinner.setTooltip(new Tooltip("Which " + InspectorData.axisTitle(d.axes().get(axis)) + " the table shows (0.."
                    + (size - 1) + ", axis " + axis + " of " + d.tensor().shapeString() + ")"));
            spinner.valueProperty().addListener((obs, old, now) -> {
                selection[axis] = now;
                table.refresh();
            });
            spinners.put(axis, spinner);
            selectors.getChildren().addAll(title, spinner);
        }
        int columns = d.columns();
        boolean windowed = columns > COLUMN_WINDOW;
        columnWindow.setItems(FXCollections.observableArrayList(
                IntStream.iterate(0, c -> c < columns, c -> c + COLUMN_WINDOW).boxed().toList()));
        columnWindow.setCellFactory(lv -> new WindowCell(columns));
        columnWindow.setButtonCell(new WindowCell(columns));
        columnWindow.setValue(0);
        if (windowed) {
            Label title = new Label("columns");
            title.getStyleClass().add("inspector-stat-name");
            selectors.getChildren().addAll(title, columnWindow);
        }
        selectors.setVisible(!selectors.getChildren().isEmpty());
        selectors.setManaged(!selectors.getChildren().isEmpty());
        table.getItems().setAll(IntStream.range(0, d.rows()).boxed().toList());
        rebuildColumns();
    }

    private void showStats(TensorStats s) {
        String[] values = {
                String.valueOf(s.count()),
                number(s.min()), number(s.max()), number(s.mean()), number(s.std()),
                String.valueOf(s.nan()), String.valueOf(s.positiveInfinity()), String.valueOf(s.negativeInfinity())};
        for (int i = 0; i < values.length; i++) {
            statValues.get(i).setText(values[i]);
        }
        statValues.get(5).pseudoClassStateChanged(WARNING, s.nan() > 0);
        statValues.get(6).pseudoClassStateChanged(WARNING, s.positiveInfinity() > 0);
    }

    /** How the inspector prints a statistic: six significant digits, NaN when nothing was finite. */
    public static String number(double v) {
        return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.6g", v);
    }

    /** How the table prints a value: five significant digits, and -inf, +inf, NaN spelled out. */
    public static String cell(float v) {
        if (Float.isNaN(v)) {
            return "NaN";
        }
        if (Float.isInfinite(v)) {
            return v > 0 ? "+inf" : "-inf";
        }
        return String.format(Locale.ROOT, "%.5g", v);
    }

    private void rebuildColumns() {
        InspectorData d = data.get();
        table.getColumns().clear();
        if (d == null || !d.available()) {
            return;
        }
        String columnAxis = d.axes().isEmpty() ? "" : d.axes().get(d.axes().size() - 1);
        String rowAxis = d.hasRowAxis() ? d.axes().get(d.rowAxis()) : "";
        TableColumn<Integer, String> label = new TableColumn<>();
        label.setCellValueFactory(c -> new ReadOnlyStringWrapper(d.rowLabel(selection, c.getValue())));
        label.setCellFactory(col -> {
            TableCell<Integer, String> cell = new TableCell<>() {
                @Override
                protected void updateItem(String item, boolean empty) {
                    super.updateItem(item, empty);
                    setText(empty ? null : item);
                }
            };
            cell.getStyleClass().add("inspector-row-label");
            return cell;
        });
        Label corner = new Label(rowAxis + " \\ " + columnAxis);
        corner.setTooltip(new Tooltip("Rows: axis " + rowAxis + " (position, and its token where known); columns: axis "
                + columnAxis));
        label.setGraphic(corner);
        label.setPrefWidth(110);
        label.setSortable(false);
        table.getColumns().add(label);
        int first = firstColumn();
        int last = Math.min(d.columns(), first + COLUMN_WINDOW);
        for (int c = first; c < last; c++) {
            int column = c;
            TableColumn<Integer, Float> col = new TableColumn<>();
            col.setCellValueFactory(f -> new ReadOnlyObjectWrapper<>(d.value(selection, f.getValue(), column)));
            col.setCellFactory(x -> new TableCell<>() {
                @Override
                protected void updateItem(Float item, boolean empty) {
                    super.updateItem(item, empty);
                    setText(empty || item == null ? null : cell(item));
                }
            });
            col.setPrefWidth(92); // room for the widest value cell() prints, "-0.00013433" or "-1.2345e-05"
            col.setSortable(false);
            col.setUserData(column);
            Label header = new Label(String.valueOf(c));
            header.setTooltip(new Tooltip(columnAxis + " index " + c));
            col.setGraphic(header);
            table.getColumns().add(col);
        }
    }

    /** "0 - 63 of 384" in the column-window chooser. */
    private static final class WindowCell extends ListCell<Integer> {
        private final int columns;

        WindowCell(int columns) {
            this.columns = columns;
        }

        @Override
        protected void updateItem(Integer first, boolean empty) {
            super.updateItem(first, empty);
            setText(empty || first == null ? null
                    : first + " \u2013 " + (Math.min(columns, first + COLUMN_WINDOW) - 1) + " of " + columns);
        }
    }
}
