/* item-bank: module identity (the module's code lands beside this file). */
const char *ib_module_name(void);
const char *ib_module_name(void) { return "item-bank"; }
