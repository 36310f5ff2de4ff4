package dev.attnstudio.engine.diagnose;

/** How much a diagnostic finding or flag matters. */
public enum Severity {
    /** Worth knowing; nothing is wrong (a sink, a head that does little). */
    INFO,
    /** Suspicious; look before trusting the model or the run (a near-uniform, dead or duplicate head). */
    WARNING,
    /** Wrong: the run or the model is broken (a collapsed head, every mask finding). */
    ERROR
}
