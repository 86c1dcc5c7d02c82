/* cpd-tracker: module identity (the module's code lands beside this file). */
const char *cpd_module_name(void);
const char *cpd_module_name(void) { return "cpd-tracker"; }
