// libxml2's headers pull in ICU's, which clash with Foundation's own ICU module
// ("'UErrorCode' has different definitions in different modules"): switch ICU off first.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>

// Used by Feeds' XMLFeedReader. libxml2's default error handlers print to stderr, its generic
// handler type is variadic (Swift cannot implement it), and its handlers are per-thread globals
// (Swift cannot touch them safely under strict concurrency): silence them from C. Parser errors
// still reach each reader's own structured handler, which takes precedence over these.
static inline void catalogsync_xml_ignore_generic(void *context, const char *message, ...) {
    (void)context;
    (void)message;
}
#if LIBXML_VERSION >= 21200
static inline void catalogsync_xml_ignore_structured(void *context, const xmlError *error) {
#else
static inline void catalogsync_xml_ignore_structured(void *context, xmlErrorPtr error) {
#endif
    (void)context;
    (void)error;
}
/// Silences libxml2's global error handlers for the calling thread and for threads created later.
static inline void catalogsync_xml_silence_global_errors(void) {
    xmlSetGenericErrorFunc(NULL, catalogsync_xml_ignore_generic);
    xmlSetStructuredErrorFunc(NULL, catalogsync_xml_ignore_structured);
    xmlThrDefSetGenericErrorFunc(NULL, catalogsync_xml_ignore_generic);
    xmlThrDefSetStructuredErrorFunc(NULL, catalogsync_xml_ignore_structured);
}
