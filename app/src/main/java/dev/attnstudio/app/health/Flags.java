package dev.attnstudio.app.health;

import dev.attnstudio.engine.diagnose.heads.HeadFlag;
import javafx.scene.paint.Color;

import java.util.Locale;

/** How the Health view shows each head flag: a name, a colour (legible in both themes) and a one-letter badge. */
final class Flags {

    /** A head without a flag. */
    static final Color HEALTHY = Color.web("#3fa35a");

    private Flags() {
    }

    static String name(HeadFlag.Kind k) {
        return switch (k) {
            case NEAR_UNIFORM -> "near-uniform";
            case ONE_HOT -> "one-hot";
            case COLLAPSED -> "collapsed";
            case SINK -> "sink";
            case DEAD -> "dead";
            case DUPLICATE -> "duplicate";
            case UNIMPORTANT -> "unimportant";
        };
    }

    static Color colour(HeadFlag.Kind k) {
        return Color.web(switch (k) {
            case COLLAPSED -> "#d1242f";
            case ONE_HOT -> "#e8782a";
            case NEAR_UNIFORM -> "#d9b23a";
            case DEAD -> "#6e7781";
            case DUPLICATE -> "#9a6ce0";
            case SINK -> "#3b82e6";
            case UNIMPORTANT -> "#9db4c8";
        });
    }

    static String badge(HeadFlag.Kind k) {
        return switch (k) {
            case COLLAPSED -> "C";
            case ONE_HOT -> "1";
            case NEAR_UNIFORM -> "U";
            case DEAD -> "D";
            case DUPLICATE -> "=";
            case SINK -> "S";
            case UNIMPORTANT -> "i";
        };
    }

    /** Whether text on this colour should be white. */
    static boolean dark(Color c) {
        return 0.2126 * c.getRed() + 0.7152 * c.getGreen() + 0.0722 * c.getBlue() < 0.55;
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return Math.abs(v) >= 0.001 || v == 0 ? String.format(Locale.ROOT, "%.4f", v) : String.format(Locale.ROOT, "%.2e", v);
    }
}
