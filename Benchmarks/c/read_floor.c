/* The xlsx read floor of this stack: inflate the parts a reader needs (shared strings, styles,
 * the sheet) with libzip and walk them with libxml2's SAX2 parser through callbacks that do
 * nothing. Whatever a reader built on libzip + libxml2 does costs at least this.
 * usage: read_floor [--pull] FILE.xlsx
 *   default: the push parser, fed 256 KiB chunks from zip_fread (xmlCreatePushParserCtxt)
 *   --pull:  the same SAX2 parser pulling through a read callback on zip_fread
 *            (xmlCreateIOParserCtxt + xmlParseDocument), which idbatch uses */
#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>
#include <zip.h>

static void start(void *ctx, const xmlChar *l, const xmlChar *p, const xmlChar *u, int nn, const xmlChar **ns,
                  int na, int nd, const xmlChar **a) {}
static void end(void *ctx, const xmlChar *l, const xmlChar *p, const xmlChar *u) {}
static void chars(void *ctx, const xmlChar *c, int n) {}
static int pull_read(void *file, char *buf, int len) { return (int)zip_fread((zip_file_t *)file, buf, len); }

static int walk(zip_t *z, const char *name, int pull) {
    zip_file_t *f = zip_fopen(z, name, ZIP_FL_NOCASE);
    if (!f) { fprintf(stderr, "missing %s\n", name); return 1; }
    xmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = start;
    sax.endElementNs = end;
    sax.characters = chars;
    xmlParserCtxtPtr ctxt;
    if (pull) {
        ctxt = xmlCreateIOParserCtxt(&sax, NULL, pull_read, NULL, f, XML_CHAR_ENCODING_NONE);
        xmlCtxtUseOptions(ctxt, XML_PARSE_NONET);
        xmlParseDocument(ctxt);
    } else {
        ctxt = xmlCreatePushParserCtxt(&sax, NULL, NULL, 0, name);
        xmlCtxtUseOptions(ctxt, XML_PARSE_NONET);
        static char buf[256 * 1024];
        zip_int64_t n;
        while ((n = zip_fread(f, buf, sizeof buf)) > 0) xmlParseChunk(ctxt, buf, (int)n, 0);
        xmlParseChunk(ctxt, NULL, 0, 1);
    }
    int ok = ctxt->wellFormed;
    xmlFreeParserCtxt(ctxt);
    zip_fclose(f);
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    int pull = argc > 2 && strcmp(argv[1], "--pull") == 0;
    const char *path = argv[argc - 1];
    int err = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &err);
    if (!z) { fprintf(stderr, "cannot open\n"); return 1; }
    int rc = walk(z, "xl/sharedStrings.xml", pull) | walk(z, "xl/styles.xml", pull)
           | walk(z, "xl/worksheets/sheet1.xml", pull);
    zip_discard(z);
    return rc;
}
