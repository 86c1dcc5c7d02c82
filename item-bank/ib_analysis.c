/* item-bank: classical item analysis, DIF and drift. */
#include "ib_data.h"
