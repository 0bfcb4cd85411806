/* A bounded YAML-subset reader for test vectors. See yaml.h for what is supported.
 *
 * The parser is an indentation-driven recursive descent over the raw text. The cursor is an
 * absolute offset; the column of the cursor (offset minus start of its line) is the
 * indentation that block structure is judged by, which also makes "- key: v" items work:
 * the mapping inside starts mid-line at the column after "- ".
 */
#include "tests/support/yaml.h"

#include <json-c/json.h>
#include <string.h>

enum { YAML_MAX_DEPTH = 64 };

typedef struct {
    const char *s;
    size_t n;
    size_t pos;
    size_t line_start;
    size_t line_no; /* 1-based, for messages */
    int depth;
    yaml_doc *doc;
    cd_error *err;
    cd_status status;
} yp;

static yaml_node *fail(yp *p, const char *why) {
    if (p->status == CD_OK) {
        p->status = CD_ERR_BAD_YAML;
        cd_fail(p->err, CD_ERR_BAD_YAML, "YAML line %zu: %s", p->line_no, why);
    }
    return NULL;
}

static yaml_node *new_node(yp *p, yaml_kind kind) {
    yaml_node *nd = cd_arena_alloc(&p->doc->arena, sizeof *nd);
    if (!nd) {
        if (p->status == CD_OK) {
            p->status = CD_ERR_NOMEM;
            cd_fail(p->err, CD_ERR_NOMEM, "YAML: out of memory (or over the size bound)");
        }
        return NULL;
    }
    nd->kind = kind;
    nd->str = "";
    return nd;
}

static void append_child(yaml_node *parent, yaml_node *child) {
    if (parent->last_) parent->last_->next = child;
    else parent->first = child;
    parent->last_ = child;
    parent->count++;
}

static int peek(const yp *p) { return p->pos < p->n ? (unsigned char)p->s[p->pos] : -1; }
static int peek_at(const yp *p, size_t off) {
    return p->pos + off < p->n ? (unsigned char)p->s[p->pos + off] : -1;
}
static bool is_eol_char(int c) { return c == '\n' || c == '\r' || c == -1; }
static bool is_blank(int c) { return c == ' ' || c == '\t'; }
static size_t column(const yp *p) { return p->pos - p->line_start; }

/* Moves the cursor one byte forward, keeping line bookkeeping right. */
static void advance(yp *p) {
    if (p->pos >= p->n) return;
    if (p->s[p->pos] == '\n') {
        p->pos++;
        p->line_start = p->pos;
        p->line_no++;
        return;
    }
    p->pos++;
}

static void skip_inline_blanks(yp *p) {
    while (is_blank(peek(p))) advance(p);
}

static void skip_to_eol(yp *p) {
    while (!is_eol_char(peek(p))) advance(p);
}

/* At a line start: is this a document marker line ("---" or "...")? */
static bool at_doc_marker(const yp *p, char ch) {
    if (p->pos != p->line_start) return false;
    if (peek_at(p, 0) != ch || peek_at(p, 1) != ch || peek_at(p, 2) != ch) return false;
    int c = peek_at(p, 3);
    return is_eol_char(c) || is_blank(c);
}

/* Skips blanks, comments and empty lines until the next content byte (or end). Tabs in
 * indentation are rejected, since their width is undefined. */
static bool skip_blank_lines(yp *p) {
    for (;;) {
        bool line_start = p->pos == p->line_start;
        while (is_blank(peek(p))) {
            if (peek(p) == '\t' && line_start) {
                /* tab in indentation: allowed only if the line turns out blank */
                size_t save = p->pos;
                skip_inline_blanks(p);
                if (peek(p) == '#' || is_eol_char(peek(p))) break;
                p->pos = save;
                fail(p, "tab used for indentation");
                return false;
            }
            advance(p);
        }
        int c = peek(p);
        if (c == '#') {
            skip_to_eol(p);
            c = peek(p);
        }
        if (c == -1) return true;
        if (c == '\r' || c == '\n') {
            while (peek(p) == '\r') advance(p);
            if (peek(p) == '\n') advance(p);
            else if (peek(p) != -1) { /* lone CR: treat as line break */
                p->line_start = p->pos;
                p->line_no++;
            }
            continue;
        }
        return true;
    }
}

/* After a value on a line: only blanks and a comment may follow. */
static bool expect_line_end(yp *p) {
    skip_inline_blanks(p);
    if (peek(p) == '#') skip_to_eol(p);
    if (!is_eol_char(peek(p))) {
        fail(p, "unexpected text after value");
        return false;
    }
    return true;
}

static bool is_seq_indicator(const yp *p) {
    return peek(p) == '-' && (is_eol_char(peek_at(p, 1)) || is_blank(peek_at(p, 1)));
}

/* ---- scalars --------------------------------------------------------------- */

static void put_utf8(char *out, size_t *o, uint32_t cp) {
    if (cp < 0x80) {
        out[(*o)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*o)++] = (char)(0xc0 | (cp >> 6));
        out[(*o)++] = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out[(*o)++] = (char)(0xe0 | (cp >> 12));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[(*o)++] = (char)(0x80 | (cp & 0x3f));
    } else {
        out[(*o)++] = (char)(0xf0 | (cp >> 18));
        out[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[(*o)++] = (char)(0x80 | (cp & 0x3f));
    }
}

static int hex_val(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Folds a line break inside a quoted scalar: trailing blanks before it are dropped, a
 * single break becomes a space, each further empty line a newline; leading blanks of the
 * continuation are dropped. The cursor is on the break. */
static void fold_line_break(yp *p, char *out, size_t *o, size_t content_start) {
    while (*o > content_start && (out[*o - 1] == ' ' || out[*o - 1] == '\t')) (*o)--;
    size_t breaks = 0;
    for (;;) {
        while (peek(p) == '\r') advance(p);
        if (peek(p) != '\n') break;
        advance(p);
        breaks++;
        skip_inline_blanks(p);
    }
    if (breaks <= 1) out[(*o)++] = ' ';
    else
        for (size_t i = 1; i < breaks; i++) out[(*o)++] = '\n';
}

/* Quoted scalar at the cursor (on the opening quote). Decoded text is never longer than
 * the raw text, so the output is sized from a first scan for the closing quote. */
static yaml_node *parse_quoted(yp *p) {
    char q = (char)peek(p);
    size_t start = p->pos + 1, i = start;
    for (;;) {
        if (i >= p->n) return fail(p, "unterminated quoted string");
        char c = p->s[i];
        if ((unsigned char)c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return fail(p, "control character in quoted string");
        if (q == '"' && c == '\\') {
            i += 2;
            continue;
        }
        if (c == q) {
            if (q == '\'' && i + 1 < p->n && p->s[i + 1] == '\'') {
                i += 2;
                continue;
            }
            break;
        }
        i++;
    }
    size_t raw_len = i - start;
    char *out = cd_arena_alloc(&p->doc->arena, raw_len + 1);
    if (!out) return fail(p, "out of memory");
    size_t o = 0;
    advance(p); /* opening quote */
    while (p->pos < i) {
        char c = p->s[p->pos];
        if (c == '\n' || c == '\r') {
            fold_line_break(p, out, &o, 0);
            continue;
        }
        if (q == '\'' && c == '\'') { /* '' inside single quotes */
            out[o++] = '\'';
            advance(p);
            advance(p);
            continue;
        }
        if (q == '"' && c == '\\') {
            advance(p);
            int e = peek(p);
            if (e == '\r' || e == '\n') { /* escaped line break: join with nothing */
                while (peek(p) == '\r') advance(p);
                if (peek(p) == '\n') advance(p);
                skip_inline_blanks(p);
                continue;
            }
            advance(p);
            switch (e) {
            case '\\': out[o++] = '\\'; break;
            case '"': out[o++] = '"'; break;
            case '/': out[o++] = '/'; break;
            case ' ': out[o++] = ' '; break;
            case '\t': out[o++] = '\t'; break;
            case 'n': out[o++] = '\n'; break;
            case 't': out[o++] = '\t'; break;
            case 'r': out[o++] = '\r'; break;
            case '0': out[o++] = '\0'; break;
            case 'a': out[o++] = '\a'; break;
            case 'b': out[o++] = '\b'; break;
            case 'e': out[o++] = 0x1b; break;
            case 'f': out[o++] = '\f'; break;
            case 'v': out[o++] = '\v'; break;
            case 'x': case 'u': case 'U': {
                int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                uint32_t cp = 0;
                for (int k = 0; k < digits; k++) {
                    int h = p->pos < i ? hex_val(peek(p)) : -1;
                    if (h < 0) return fail(p, "bad hex escape in double-quoted string");
                    cp = cp << 4 | (uint32_t)h;
                    advance(p);
                }
                if (cp > 0x10ffff) return fail(p, "escape beyond Unicode range");
                /* \xNN (4 raw chars) -> <= 2 bytes; \uNNNN (6) -> <= 3; \U (10) -> <= 4 */
                put_utf8(out, &o, cp);
                break;
            }
            default: return fail(p, "unknown escape in double-quoted string");
            }
            continue;
        }
        out[o++] = c;
        advance(p);
    }
    advance(p); /* closing quote */
    out[o] = 0;
    yaml_node *nd = new_node(p, YAML_SCALAR);
    if (!nd) return NULL;
    nd->quoted = true;
    nd->str = out;
    nd->len = o;
    return nd;
}

static yaml_node *make_plain(yp *p, size_t start, size_t end) {
    while (end > start && is_blank((unsigned char)p->s[end - 1])) end--;
    size_t len = end - start;
    for (size_t i = start; i < end; i++)
        if ((unsigned char)p->s[i] < 0x20 && p->s[i] != '\t') return fail(p, "control character in scalar");
    if (len == 3 && !memcmp(p->s + start, "---", 3)) return fail(p, "multiple documents are not supported");
    if (len == 0 || (len == 1 && p->s[start] == '~') ||
        (len == 4 && (!memcmp(p->s + start, "null", 4) || !memcmp(p->s + start, "Null", 4) ||
                      !memcmp(p->s + start, "NULL", 4))))
        return new_node(p, YAML_NULL);
    char *txt = cd_arena_alloc(&p->doc->arena, len + 1);
    if (!txt) return fail(p, "out of memory");
    memcpy(txt, p->s + start, len);
    yaml_node *nd = new_node(p, YAML_SCALAR);
    if (!nd) return NULL;
    nd->str = txt;
    nd->len = len;
    return nd;
}

static bool plain_start_ok(yp *p) {
    int c = peek(p);
    if (c == '&' || c == '*' || c == '!' || c == '|' || c == '>' || c == '%' || c == '@' ||
        c == '`') {
        fail(p, "unsupported YAML feature (anchor, alias, tag, block scalar or reserved)");
        return false;
    }
    return true;
}

/* Plain scalar in block context: to end of line or a " #" comment. */
static yaml_node *parse_plain_block(yp *p) {
    if (!plain_start_ok(p)) return NULL;
    size_t start = p->pos;
    while (!is_eol_char(peek(p))) {
        if (peek(p) == '#' && p->pos > start && is_blank((unsigned char)p->s[p->pos - 1])) break;
        if (peek(p) == ':' && (is_blank(peek_at(p, 1)) || is_eol_char(peek_at(p, 1))))
            return fail(p, "mapping value not allowed here");
        advance(p);
    }
    return make_plain(p, start, p->pos);
}

/* ---- flow collections -------------------------------------------------- */

static bool flow_skip_ws(yp *p) {
    for (;;) {
        int c = peek(p);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') advance(p);
        else if (c == '#') skip_to_eol(p);
        else return c != -1;
    }
}

static bool is_flow_indicator(int c) { return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'; }

/* Plain scalar inside a flow collection: stops at a flow indicator, a line end, a comment,
 * or (when it is a key) a ':' followed by a blank/indicator. */
static yaml_node *parse_plain_flow(yp *p, bool as_key) {
    if (!plain_start_ok(p)) return NULL;
    size_t start = p->pos;
    for (;;) {
        int c = peek(p);
        if (c == -1 || c == '\n' || c == '\r' || is_flow_indicator(c)) break;
        if (c == '#' && p->pos > start && is_blank((unsigned char)p->s[p->pos - 1])) break;
        if (c == ':' && as_key) {
            int d = peek_at(p, 1);
            if (d == -1 || is_blank(d) || is_eol_char(d) || is_flow_indicator(d)) break;
        }
        advance(p);
    }
    return make_plain(p, start, p->pos);
}

static yaml_node *parse_flow(yp *p);

static yaml_node *parse_flow_item(yp *p, bool as_key) {
    int c = peek(p);
    if (c == '[' || c == '{') return parse_flow(p);
    if (c == '"' || c == '\'') return parse_quoted(p);
    return parse_plain_flow(p, as_key);
}

static const char *key_text(yp *p, const yaml_node *k) {
    if (!k) return NULL;
    if (k->kind == YAML_SCALAR) return k->str;
    if (k->kind == YAML_NULL) return "";
    fail(p, "mapping key must be a scalar");
    return NULL;
}

static yaml_node *parse_flow(yp *p) {
    if (++p->depth > YAML_MAX_DEPTH) return fail(p, "nesting too deep");
    bool is_map = peek(p) == '{';
    char close = is_map ? '}' : ']';
    yaml_node *nd = new_node(p, is_map ? YAML_MAP : YAML_SEQ);
    if (!nd) return NULL;
    advance(p);
    for (;;) {
        if (!flow_skip_ws(p)) return fail(p, "unterminated flow collection");
        if (peek(p) == close) {
            advance(p);
            break;
        }
        yaml_node *item;
        if (is_map) {
            yaml_node *k = parse_flow_item(p, true);
            const char *key = key_text(p, k);
            if (!key) return NULL;
            if (!flow_skip_ws(p)) return fail(p, "unterminated flow mapping");
            if (peek(p) == ':') {
                advance(p);
                if (!flow_skip_ws(p)) return fail(p, "unterminated flow mapping");
                if (peek(p) == ',' || peek(p) == '}') item = new_node(p, YAML_NULL);
                else item = parse_flow_item(p, false);
            } else {
                item = new_node(p, YAML_NULL);
            }
            if (!item) return NULL;
            item->key = key;
        } else {
            if (peek(p) == ',') return fail(p, "empty entry in flow sequence");
            item = parse_flow_item(p, false);
            if (!item) return NULL;
        }
        append_child(nd, item);
        if (!flow_skip_ws(p)) return fail(p, "unterminated flow collection");
        if (peek(p) == ',') {
            advance(p);
            continue;
        }
        if (peek(p) == close) {
            advance(p);
            break;
        }
        return fail(p, "expected ',' or end of flow collection");
    }
    p->depth--;
    return nd;
}

/* ---- block structure ----------------------------------------------------- */

/* Looks ahead on the current line for "key:" followed by a blank or end of line. */
static bool line_has_key(const yp *p) {
    size_t i = p->pos;
    if (i >= p->n) return false;
    char c = p->s[i];
    if (c == '[' || c == '{') return false;
    if (c == '"' || c == '\'') {
        i++;
        while (i < p->n && p->s[i] != '\n') {
            if (c == '"' && p->s[i] == '\\') {
                i += 2;
                continue;
            }
            if (p->s[i] == c) {
                if (c == '\'' && i + 1 < p->n && p->s[i + 1] == '\'') {
                    i += 2;
                    continue;
                }
                break;
            }
            i++;
        }
        if (i >= p->n || p->s[i] != c) return false;
        i++;
        while (i < p->n && is_blank((unsigned char)p->s[i])) i++;
        return i < p->n && p->s[i] == ':' &&
               (i + 1 >= p->n || is_blank((unsigned char)p->s[i + 1]) ||
                is_eol_char((unsigned char)p->s[i + 1]));
    }
    for (; i < p->n && !is_eol_char((unsigned char)p->s[i]); i++) {
        if (p->s[i] == '#' && i > p->pos && is_blank((unsigned char)p->s[i - 1])) return false;
        if (p->s[i] == ':' &&
            (i + 1 >= p->n || is_blank((unsigned char)p->s[i + 1]) || is_eol_char((unsigned char)p->s[i + 1])))
            return true;
    }
    return false;
}

static yaml_node *parse_block(yp *p);

/* Value after "key:" or "- " on the same line: a flow collection or a scalar. */
static yaml_node *parse_inline_value(yp *p) {
    int c = peek(p);
    yaml_node *nd;
    if (c == '[' || c == '{') nd = parse_flow(p);
    else if (c == '"' || c == '\'') nd = parse_quoted(p);
    else nd = parse_plain_block(p);
    if (!nd) return NULL;
    if (!expect_line_end(p)) return NULL;
    return nd;
}

/* Cursor is on a '-' at column c. */
static yaml_node *parse_seq(yp *p, size_t c) {
    if (++p->depth > YAML_MAX_DEPTH) return fail(p, "nesting too deep");
    yaml_node *nd = new_node(p, YAML_SEQ);
    if (!nd) return NULL;
    for (;;) {
        advance(p); /* '-' */
        skip_inline_blanks(p);
        yaml_node *item;
        if (peek(p) == '#' || is_eol_char(peek(p))) {
            if (!skip_blank_lines(p)) return NULL;
            if (peek(p) != -1 && column(p) > c) item = parse_block(p);
            else item = new_node(p, YAML_NULL);
        } else {
            item = parse_block(p);
        }
        if (!item) return NULL;
        append_child(nd, item);
        if (!skip_blank_lines(p)) return NULL;
        if (peek(p) == -1 || column(p) < c) break;
        if (column(p) > c) return fail(p, "bad indentation in sequence");
        if (!is_seq_indicator(p)) break; /* e.g. the next key of a parent mapping at this column */
    }
    p->depth--;
    return nd;
}

static const char *parse_block_key(yp *p) {
    yaml_node *k;
    if (peek(p) == '"' || peek(p) == '\'') {
        k = parse_quoted(p);
    } else {
        if (!plain_start_ok(p)) return NULL;
        size_t start = p->pos;
        while (!(peek(p) == ':' && (is_blank(peek_at(p, 1)) || is_eol_char(peek_at(p, 1))))) advance(p);
        k = make_plain(p, start, p->pos);
    }
    const char *key = key_text(p, k);
    if (!key) return NULL;
    skip_inline_blanks(p);
    if (peek(p) != ':') {
        fail(p, "expected ':' after key");
        return NULL;
    }
    advance(p);
    return key;
}

/* Cursor is on a key at column c. */
static yaml_node *parse_map(yp *p, size_t c) {
    if (++p->depth > YAML_MAX_DEPTH) return fail(p, "nesting too deep");
    yaml_node *nd = new_node(p, YAML_MAP);
    if (!nd) return NULL;
    for (;;) {
        if (is_seq_indicator(p) || !line_has_key(p)) return fail(p, "expected 'key:' in mapping");
        const char *key = parse_block_key(p);
        if (!key) return NULL;
        if (yaml_get(nd, key)) return fail(p, "duplicate key in mapping");
        skip_inline_blanks(p);
        yaml_node *val;
        if (peek(p) == '#' || is_eol_char(peek(p))) {
            if (!skip_blank_lines(p)) return NULL;
            if (peek(p) == -1) val = new_node(p, YAML_NULL);
            else if (column(p) > c) val = parse_block(p);
            else if (column(p) == c && is_seq_indicator(p)) val = parse_seq(p, c);
            else val = new_node(p, YAML_NULL);
        } else {
            if (is_seq_indicator(p)) return fail(p, "block sequence cannot start after 'key:' on the same line");
            val = parse_inline_value(p);
        }
        if (!val) return NULL;
        val->key = key;
        append_child(nd, val);
        if (!skip_blank_lines(p)) return NULL;
        if (peek(p) == -1 || column(p) < c) break;
        if (column(p) > c) return fail(p, "bad indentation in mapping");
        if (at_doc_marker(p, '.') || at_doc_marker(p, '-')) break;
    }
    p->depth--;
    return nd;
}

/* A node whose first content byte is at the cursor; its column is its indentation. */
static yaml_node *parse_block(yp *p) {
    size_t c = column(p);
    if (is_seq_indicator(p)) return parse_seq(p, c);
    if (line_has_key(p)) return parse_map(p, c);
    return parse_inline_value(p);
}

cd_status yaml_parse(yaml_doc *doc, const char *text, size_t len, cd_error *err) {
    /* Bound memory: nodes and decoded text are proportional to the input. */
    size_t limit = len > (SIZE_MAX - (1u << 20)) / 64 ? SIZE_MAX : len * 64 + (1u << 20);
    cd_arena_init(&doc->arena, 1 << 16, limit);
    doc->root = NULL;
    if (!text && len) return cd_fail(err, CD_ERR_INVALID_ARG, "YAML: no text");
    yp p = {.s = text, .n = len, .line_no = 1, .doc = doc, .err = err, .status = CD_OK};
    if (len >= 3 && (unsigned char)text[0] == 0xef && (unsigned char)text[1] == 0xbb &&
        (unsigned char)text[2] == 0xbf) {
        p.pos = p.line_start = 3;
    }
    if (!skip_blank_lines(&p)) return p.status;
    if (at_doc_marker(&p, '-')) {
        p.pos += 3;
        skip_inline_blanks(&p);
        if (!is_eol_char(peek(&p)) && peek(&p) != '#') {
            /* "--- value" on the marker line */
            doc->root = parse_inline_value(&p);
            if (!doc->root) return p.status;
        }
        if (!skip_blank_lines(&p)) return p.status;
    }
    if (!doc->root) {
        if (peek(&p) == -1 || at_doc_marker(&p, '.')) doc->root = new_node(&p, YAML_NULL);
        else doc->root = parse_block(&p);
        if (!doc->root) return p.status != CD_OK ? p.status : CD_ERR_BAD_YAML;
    }
    if (!skip_blank_lines(&p)) return p.status;
    if (at_doc_marker(&p, '.')) {
        p.pos += 3;
        if (!expect_line_end(&p) || !skip_blank_lines(&p)) return p.status;
    }
    if (peek(&p) != -1) {
        if (at_doc_marker(&p, '-'))
            return cd_fail(err, CD_ERR_BAD_YAML, "YAML line %zu: multiple documents are not supported",
                           p.line_no);
        return cd_fail(err, CD_ERR_BAD_YAML, "YAML line %zu: unexpected content after document",
                       p.line_no);
    }
    return CD_OK;
}

cd_status yaml_parse_file(yaml_doc *doc, const char *path, size_t max_len, cd_error *err) {
    cd_arena_init(&doc->arena, 1 << 16, 1);
    doc->root = NULL;
    cd_buf buf = {0};
    cd_status st = cd_read_file(path, max_len, &buf);
    if (st != CD_OK) {
        cd_buf_free(&buf);
        return cd_fail(err, st, "%s: cannot read (%s)", path, cd_status_str(st));
    }
    st = yaml_parse(doc, buf.data ? (const char *)buf.data : "", buf.len, err);
    if (st != CD_OK) cd_error_prefix(err, "%s: ", path);
    cd_buf_free(&buf);
    return st;
}

void yaml_free(yaml_doc *doc) {
    cd_arena_free(&doc->arena);
    doc->root = NULL;
}

const yaml_node *yaml_get(const yaml_node *map, const char *key) {
    if (!map || map->kind != YAML_MAP || !key) return NULL;
    for (const yaml_node *c = map->first; c; c = c->next)
        if (c->key && !strcmp(c->key, key)) return c;
    return NULL;
}

const yaml_node *yaml_at(const yaml_node *node, size_t i) {
    if (!node || (node->kind != YAML_SEQ && node->kind != YAML_MAP)) return NULL;
    const yaml_node *c = node->first;
    while (c && i--) c = c->next;
    return c;
}

bool yaml_is_null(const yaml_node *node) { return !node || node->kind == YAML_NULL; }

cd_status yaml_u64(const yaml_node *node, uint64_t *out) {
    if (!node || node->kind != YAML_SCALAR || node->len == 0 || node->len > 20) return CD_ERR_BAD_YAML;
    uint64_t v = 0;
    for (size_t i = 0; i < node->len; i++) {
        char c = node->str[i];
        if (c < '0' || c > '9') return CD_ERR_BAD_YAML;
        uint64_t d = (uint64_t)(c - '0');
        if (v > (UINT64_MAX - d) / 10) return CD_ERR_BAD_YAML;
        v = v * 10 + d;
    }
    *out = v;
    return CD_OK;
}

cd_status yaml_bool(const yaml_node *node, bool *out) {
    if (!node || node->kind != YAML_SCALAR) return CD_ERR_BAD_YAML;
    if (!strcmp(node->str, "true") || !strcmp(node->str, "True")) *out = true;
    else if (!strcmp(node->str, "false") || !strcmp(node->str, "False")) *out = false;
    else return CD_ERR_BAD_YAML;
    return CD_OK;
}

cd_status yaml_hex(const yaml_node *node, uint8_t *buf, size_t cap, size_t *out_len) {
    if (!node || node->kind != YAML_SCALAR) return CD_ERR_BAD_YAML;
    if (node->len < 2 || node->str[0] != '0' || (node->str[1] != 'x' && node->str[1] != 'X'))
        return CD_ERR_BAD_HEX;
    return cd_hex_decode(node->str, node->len, buf, cap, out_len);
}

cd_status yaml_hex_exact(const yaml_node *node, uint8_t *buf, size_t n) {
    size_t got = 0;
    cd_status st = yaml_hex(node, buf, n, &got);
    if (st == CD_ERR_TOO_LARGE) return CD_ERR_BAD_HEX;
    if (st != CD_OK) return st;
    return got == n ? CD_OK : CD_ERR_BAD_HEX;
}

cd_status yaml_hex_buf(const yaml_node *node, cd_buf *out) {
    if (!node || node->kind != YAML_SCALAR) return CD_ERR_BAD_YAML;
    if (node->len < 2 || node->str[0] != '0' || (node->str[1] != 'x' && node->str[1] != 'X'))
        return CD_ERR_BAD_HEX;
    return cd_hex_decode_buf(node->str, node->len, out);
}

cd_status yaml_uint_le(const yaml_node *node, uint8_t *out, size_t n) {
    if (!node || node->kind != YAML_SCALAR || node->len == 0 || n == 0 || n > 32) return CD_ERR_BAD_YAML;
    memset(out, 0, n);
    for (size_t i = 0; i < node->len; i++) {
        char c = node->str[i];
        if (c < '0' || c > '9') return CD_ERR_BAD_YAML;
        /* out = out * 10 + digit, little-endian bytes */
        unsigned carry = (unsigned)(c - '0');
        for (size_t k = 0; k < n; k++) {
            unsigned v = out[k] * 10u + carry;
            out[k] = (uint8_t)v;
            carry = v >> 8;
        }
        if (carry) return CD_ERR_BAD_YAML; /* does not fit in n bytes */
    }
    return CD_OK;
}

struct json_object *yaml_to_json(const yaml_node *node, bool *ok) {
    *ok = true;
    if (!node || node->kind == YAML_NULL) return NULL;
    if (node->kind == YAML_SCALAR) {
        json_object *s = json_object_new_string_len(node->str, (int)node->len);
        if (!s) *ok = false;
        return s;
    }
    json_object *c = node->kind == YAML_SEQ ? json_object_new_array() : json_object_new_object();
    if (!c) {
        *ok = false;
        return NULL;
    }
    for (const yaml_node *k = node->first; k; k = k->next) {
        bool kok;
        json_object *v = yaml_to_json(k, &kok);
        if (!kok) {
            json_object_put(c);
            *ok = false;
            return NULL;
        }
        int rc = node->kind == YAML_SEQ ? json_object_array_add(c, v)
                                        : json_object_object_add(c, k->key ? k->key : "", v);
        if (rc != 0) {
            json_object_put(v);
            json_object_put(c);
            *ok = false;
            return NULL;
        }
    }
    return c;
}
