/* exam-engine: module identity (the module's code lands beside this file). */
const char *cat_module_name(void);
const char *cat_module_name(void) { return "exam-engine"; }
