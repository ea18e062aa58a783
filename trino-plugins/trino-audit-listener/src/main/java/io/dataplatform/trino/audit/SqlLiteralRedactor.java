package io.dataplatform.trino.audit;

/**
 * Replaces the literals of a SQL text with '?': string literals ('...' with '' escapes, also after a type name such
 * as DATE or X) and numbers that stand alone (not part of an identifier). Quoted identifiers and comments are kept.
 * A lexical pass, not a parser: it never fails, and on unbalanced quotes it redacts to the end.
 */
final class SqlLiteralRedactor {
    private SqlLiteralRedactor() {}

    static String redact(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        int i = 0;
        int length = sql.length();
        while (i < length) {
            char c = sql.charAt(i);
            if (c == '\'') {
                i = skipQuoted(sql, i, '\'');
                out.append("'?'");
            }
            else if (c == '"') {
                int end = skipQuoted(sql, i, '"');
                out.append(sql, i, end);
                i = end;
            }
            else if (c == '-' && i + 1 < length && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? length : end;
                out.append(sql, i, end);
                i = end;
            }
            else if (c == '/' && i + 1 < length && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                end = end < 0 ? length : end + 2;
                out.append(sql, i, end);
                i = end;
            }
            else if (Character.isDigit(c) && (i == 0 || !isIdentifierPart(sql.charAt(i - 1)))) {
                int end = i;
                while (end < length && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '.'
                        || sql.charAt(end) == '_'
                        || ((sql.charAt(end) == '+' || sql.charAt(end) == '-')
                                && (sql.charAt(end - 1) == 'e' || sql.charAt(end - 1) == 'E')))) {
                    end++;
                }
                out.append('?');
                i = end;
            }
            else if (isIdentifierPart(c)) {
                int end = i;
                while (end < length && isIdentifierPart(sql.charAt(end))) {
                    end++;
                }
                out.append(sql, i, end);
                i = end;
            }
            else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** The index after the closing quote; a doubled quote is an escaped quote, not the end. */
    private static int skipQuoted(String sql, int start, char quote) {
        int i = start + 1;
        while (i < sql.length()) {
            if (sql.charAt(i) == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return sql.length();
    }

    private static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '@';
    }
}
