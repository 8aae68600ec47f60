// Debian builds libxml2 with ICU; its encoding.h then includes ICU headers that clash with
// Foundation's own copy of ICU. idbatch only uses the SAX2 push parser and never touches the
// ICU-specific members (they sit behind pointers), so the ICU part of the headers is left out.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
