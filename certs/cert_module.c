/* certs: module identity (the module's code lands beside this file). */
const char *cert_module_name(void);
const char *cert_module_name(void) { return "certs"; }
