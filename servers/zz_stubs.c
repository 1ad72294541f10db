#include "models.h"
#include "log.h"
int prefork_dynamic_run(struct server *s){die("todo");}
int uring_run(struct server *s){die("todo");}
