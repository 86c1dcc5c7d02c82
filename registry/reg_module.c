/* registry: module identity (the module's code lands beside this file). */
const char *reg_module_name(void);
const char *reg_module_name(void) { return "registry"; }
