#include "models.h"
#include "log.h"
int prefork_dynamic_run(struct server *s){die("todo");}
int select_run(struct server *s){die("todo");}
int poll_run(struct server *s){die("todo");}
int sigio_run(struct server *s){die("todo");}
int uring_run(struct server *s){die("todo");}
int epoll_threads_run(struct server *s){die("todo");}
