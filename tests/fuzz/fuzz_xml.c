/* fuzz_xml: the XML request-body parser and its model-driven conversion (S3 bodies).
 *
 * Input: an S3 shape name on the first line (e.g. "Delete", "LifecycleConfiguration"),
 * then the document. Properties checked besides memory safety:
 *  - a document with a DOCTYPE is always refused: request bodies never need one, and
 *    internal entities are how "billion laughs" expansion gets in;
 *  - what the converter accepts, the serializer writes back as well-formed XML. */
#include <stdbool.h>

#include "fuzz_common.h"
#include "proto/xml.h"

static model_set models;
static const svc_model *s3;

/* Whether the document's prolog (before the root element: XML declaration, comments,
 * processing instructions, whitespace) holds a DOCTYPE. "<!DOCTYPE" elsewhere, such as
 * in CDATA or a comment, is only text. */
static bool prolog_has_doctype(const char *d, size_t n)
{
    size_t i = 0;
    if (n >= 3 && !memcmp(d, "\xEF\xBB\xBF", 3)) i = 3;
    while (i < n) {
        if (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n') {
            i++;
        } else if (n - i >= 2 && !memcmp(d + i, "<?", 2)) {
            const char *e = memmem(d + i + 2, n - i - 2, "?>", 2);
            if (!e) return false;
            i = (size_t)(e - d) + 2;
        } else if (n - i >= 4 && !memcmp(d + i, "<!--", 4)) {
            const char *e = memmem(d + i + 4, n - i - 4, "-->", 3);
            if (!e) return false;
            i = (size_t)(e - d) + 3;
        } else {
            return n - i >= 9 && !memcmp(d + i, "<!DOCTYPE", 9);
        }
    }
    return false;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char err[256];
    if (model_set_load(&models, err, sizeof err)) abort();
    s3 = model_service(&models, "s3");
    if (!s3) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size, *line;
    size_t n = fuzz_line(&p, end, &line);
    char shape_name[128];
    snprintf(shape_name, sizeof shape_name, "%.*s", (int)(n < 127 ? n : 127), (const char *)line);
    const json_t *shape = model_shape(s3, shape_name);
    if (!shape || strcmp(model_shape_type(shape), "structure")) shape = model_shape(s3, "Delete");

    const char *doc = (const char *)p;
    size_t len = (size_t)(end - p);
    aws_error e;
    aws_error_clear(&e);
    xml_node *root = xml_parse(doc, len, &e);
    if (!root) {
        if (!aws_error_set(&e)) abort();
        return 0;
    }
    if (prolog_has_doctype(doc, len)) {
        fprintf(stderr, "xml_parse accepted a document with a DOCTYPE\n");
        abort();
    }
    json_t *v = xml_to_json(s3, shape, root, &e);
    if (v) {
        buf out = BUF_INIT;
        xml_write_element(&out, s3, "Root", shape, v);
        aws_error e2;
        aws_error_clear(&e2);
        xml_node *again = xml_parse(out.data, out.len, &e2);
        if (!again) {
            fprintf(stderr, "serializer wrote malformed XML: %.*s\n", (int)out.len, out.data);
            abort();
        }
        xml_free(again);
        buf_free(&out);
        json_decref(v);
    } else if (!aws_error_set(&e)) {
        abort();
    }
    xml_free(root);
    return 0;
}
