package dev.attnstudio.cli;

/** The command line asks for something that cannot be done as written; the message says what to change. */
final class UsageException extends RuntimeException {

    UsageException(String message) {
        super(message);
    }
}
