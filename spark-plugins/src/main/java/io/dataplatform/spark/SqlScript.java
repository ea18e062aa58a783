package io.dataplatform.spark;

import java.util.ArrayList;
import java.util.List;

/**
 * A SQL script split into statements at the semicolons that are not inside a string, a quoted identifier or a
 * comment. Each statement keeps the line it starts on, for error messages.
 */
record SqlScript(String source, List<Statement> statements) {
    record Statement(String source, int line, String text) {
        String location() {
            return source + ":" + line;
        }
    }

    static SqlScript parse(String source, String text) {
        List<Statement> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int line = 1;
        int startLine = -1;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '-' && i + 1 < text.length() && text.charAt(i + 1) == '-') {
                int end = text.indexOf('\n', i);
                i = end < 0 ? text.length() : end;
                continue;
            }
            if (c == '/' && i + 1 < text.length() && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException(source + ":" + line + ": the comment is not closed");
                }
                line += count(text.substring(i, end), '\n');
                i = end + 2;
                current.append(' ');
                continue;
            }
            if (c == ';') {
                add(statements, source, startLine, current);
                current.setLength(0);
                startLine = -1;
                i++;
                continue;
            }
            if (!Character.isWhitespace(c) && startLine < 0) {
                startLine = line;
            }
            if (c == '\'' || c == '"' || c == '`') {
                int end = closing(text, i, c);
                if (end < 0) {
                    throw new IllegalArgumentException(source + ":" + line + ": the " + c + " opened here is not closed");
                }
                String quoted = text.substring(i, end + 1);
                current.append(quoted);
                line += count(quoted, '\n');
                i = end + 1;
                continue;
            }
            if (c == '\n') {
                line++;
            }
            current.append(c);
            i++;
        }
        add(statements, source, startLine, current);
        return new SqlScript(source, List.copyOf(statements));
    }

    private static void add(List<Statement> statements, String source, int line, StringBuilder text) {
        String statement = text.toString().strip();
        if (!statement.isEmpty()) {
            statements.add(new Statement(source, line, statement));
        }
    }

    /** The index of the quote closing the one at {@code start}; a doubled quote or a backslash escapes it. */
    private static int closing(String text, int start, char quote) {
        for (int i = start + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && quote != '`') {
                i++;
            }
            else if (c == quote) {
                if (i + 1 < text.length() && text.charAt(i + 1) == quote) {
                    i++;
                }
                else {
                    return i;
                }
            }
        }
        return -1;
    }

    private static int count(String text, char c) {
        return (int) text.chars().filter(ch -> ch == c).count();
    }
}
