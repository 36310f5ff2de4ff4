package dev.attnstudio.app.panels;

import dev.attnstudio.app.theme.Theme;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.samples.SampleModels;
import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.Point2D;
import javafx.scene.Group;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * What the view tests share (panels and diagnostics): real sample models, a stage of their own on headless Monocle, and
 * PNG snapshots to look at under target/panels.
 */
public final class PanelFixture {

    public static final Path SNAPSHOTS = Path.of("target", "panels");

    private PanelFixture() {
    }

    public static LoadedModel open(String sample) {
        return SampleModels.open(sample, DjlRuntime.DeviceChoice.CPU);
    }

    /** A stage of the view tests' own: the primary stage is the app tests', whose size they check. */
    public static Stage stage() throws Exception {
        FxToolkit.registerPrimaryStage();
        return fx(Stage::new);
    }

    /** Closes the view tests' stage, then the models they opened. */
    public static void close(Stage stage, LoadedModel... models) throws Exception {
        fx(() -> {
            stage.close();
            return null;
        });
        for (LoadedModel m : models) {
            m.close();
        }
    }

    /** Shows a panel alone in the stage with the app's stylesheet in the light or the dark theme. */
    public static void show(Stage stage, Parent panel, double width, double height, boolean dark) throws Exception {
        fx(() -> {
            if (panel.getScene() != null) {
                panel.getScene().setRoot(new Group());
            }
            Scene scene = new Scene(panel, width, height);
            scene.getStylesheets().setAll((dark ? Theme.DARK : Theme.LIGHT).stylesheets());
            stage.setScene(scene);
            stage.setWidth(width);
            stage.setHeight(height);
            stage.show();
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** Writes a snapshot of the node to target/panels/{name}.png and returns its path. */
    public static Path snapshot(Node node, String name) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        WritableImage image = fx(() -> node.snapshot(null, null));
        Files.createDirectories(SNAPSHOTS);
        Path file = SNAPSHOTS.resolve(name + ".png");
        try {
            ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException("could not write " + file, e);
        }
        return file.toAbsolutePath();
    }

    /** Snapshots the node's scene in the light theme as {name}-light, then in the dark one as {name}-dark. */
    public static void snapshotBothThemes(Node node, String name) throws Exception {
        for (Theme theme : Theme.values()) {
            fx(() -> node.getScene().getStylesheets().setAll(theme.stylesheets()));
            System.out.println("snapshot " + snapshot(node, name + "-" + theme.name().toLowerCase(java.util.Locale.ROOT)));
        }
        fx(() -> node.getScene().getStylesheets().setAll(Theme.LIGHT.stylesheets()));
    }

    /** A point of a node in screen coordinates, for the robot. */
    public static Point2D screen(Node node, double x, double y) throws Exception {
        return fx(() -> node.localToScreen(x, y));
    }

    public static <T> T fx(Callable<T> work) throws Exception {
        return WaitForAsyncUtils.asyncFx(work).get(30, TimeUnit.SECONDS);
    }
}
