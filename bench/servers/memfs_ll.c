/*
 * memfs_ll: the bench's C reference for in-memory filesystems, a minimal
 * libfuse lowlevel server over an in-memory tree. It serves what the bench's
 * workloads need, correctly: lookup (with negative entries), forget,
 * getattr, setattr, mkdir, create, unlink, open, read, write, flush,
 * release, fsync, readdir and readdirplus (like examples/memfs, so the
 * kernel sends the same requests to both). No permission checks, rename,
 * links, rmdir or xattrs.
 *
 *     memfs_ll [-f] [-s] [-o timeout=SECONDS] <mountpoint>
 *
 * `timeout` (default 1) is the entry, attribute and negative-entry timeout.
 * Like libfuse's examples it runs libfuse's multithreaded loop unless -s.
 *
 * Inode numbers are node addresses (the root is 1). One reader-writer lock
 * guards the tree: lookups, getattr, reads and listings share it (lookup
 * counts and open counts are atomics), changes take it alone. File data is
 * one contiguous buffer per file; reads reply straight from it.
 */
#define FUSE_USE_VERSION 34
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct node;

struct entry {
  char *name; /* NULL: a removed entry (its cookie is not reused while later entries exist) */
  struct node *node;
  uint32_t hash;
  uint32_t hnext; /* index + 1 of the next entry in the hash chain, 0 at the end */
};

struct dir {
  struct entry *e; /* in creation order: entry i has readdir cookie i + 3 ('.' 1, '..' 2) */
  uint32_t n, cap, live;
  uint32_t *buckets; /* index + 1 of a chain's first entry */
  uint32_t nbuckets; /* a power of 2 */
};

struct node {
  fuse_ino_t ino;
  mode_t mode;
  nlink_t nlink;
  uid_t uid;
  gid_t gid;
  struct timespec atime, mtime, ctime;
  atomic_uint_fast64_t nlookup;
  atomic_uint_fast64_t opens;
  struct node *parent;
  struct dir dir;   /* directories */
  char *data;       /* regular files */
  size_t size, cap; /* bytes, allocated bytes */
};

static struct {
  pthread_rwlock_t lock;
  struct node root;
  double timeout;
} fs = {.lock = PTHREAD_RWLOCK_INITIALIZER, .timeout = 1.0};

static struct node *node_of(fuse_ino_t ino) {
  return ino == FUSE_ROOT_ID ? &fs.root : (struct node *)(uintptr_t)ino;
}

static struct timespec now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts;
}

static uint32_t hash_name(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static void attr_of(const struct node *n, struct stat *st) {
  memset(st, 0, sizeof *st);
  st->st_ino = n->ino;
  st->st_mode = n->mode;
  st->st_nlink = n->nlink;
  st->st_uid = n->uid;
  st->st_gid = n->gid;
  st->st_size = (off_t)n->size;
  st->st_blksize = 4096;
  st->st_blocks = (blkcnt_t)((n->size + 511) / 512);
  st->st_atim = n->atime;
  st->st_mtim = n->mtime;
  st->st_ctim = n->ctime;
}

/* The entry reply for `n`, counting one lookup. */
static void entry_of(struct node *n, struct fuse_entry_param *e) {
  memset(e, 0, sizeof *e);
  e->ino = n->ino;
  e->attr_timeout = fs.timeout;
  e->entry_timeout = fs.timeout;
  attr_of(n, &e->attr);
  atomic_fetch_add(&n->nlookup, 1);
}

/* --- directories --------------------------------------------------------- */

static int dir_find(const struct dir *d, const char *name) {
  if (d->nbuckets == 0) return -1;
  const uint32_t h = hash_name(name);
  for (uint32_t i = d->buckets[h & (d->nbuckets - 1)]; i != 0; i = d->e[i - 1].hnext) {
    const struct entry *e = &d->e[i - 1];
    if (e->hash == h && strcmp(e->name, name) == 0) return (int)(i - 1);
  }
  return -1;
}

static void dir_rehash(struct dir *d, uint32_t nbuckets) {
  free(d->buckets);
  d->nbuckets = nbuckets;
  d->buckets = calloc(nbuckets, sizeof *d->buckets);
  if (d->buckets == NULL) abort();
  for (uint32_t i = 0; i < d->n; i++) {
    struct entry *e = &d->e[i];
    if (e->name == NULL) continue;
    uint32_t *head = &d->buckets[e->hash & (nbuckets - 1)];
    e->hnext = *head;
    *head = i + 1;
  }
}

static void dir_add(struct dir *d, const char *name, struct node *n) {
  if (d->n == d->cap) {
    d->cap = d->cap ? d->cap * 2 : 16;
    d->e = realloc(d->e, d->cap * sizeof *d->e);
    if (d->e == NULL) abort();
  }
  struct entry *e = &d->e[d->n];
  e->name = strdup(name);
  if (e->name == NULL) abort();
  e->node = n;
  e->hash = hash_name(name);
  d->n++;
  d->live++;
  if (d->live > d->nbuckets) {
    dir_rehash(d, d->nbuckets ? d->nbuckets * 2 : 16); /* links the new entry too */
  } else {
    uint32_t *head = &d->buckets[e->hash & (d->nbuckets - 1)];
    e->hnext = *head;
    *head = d->n;
  }
}

static void dir_remove(struct dir *d, int idx) {
  struct entry *e = &d->e[idx];
  uint32_t *link = &d->buckets[e->hash & (d->nbuckets - 1)];
  while (*link != (uint32_t)idx + 1) link = &d->e[*link - 1].hnext;
  *link = e->hnext;
  free(e->name);
  e->name = NULL;
  e->node = NULL;
  d->live--;
  while (d->n > 0 && d->e[d->n - 1].name == NULL) d->n--; /* no later entry: the cookies can be reused */
}

/* --- nodes --------------------------------------------------------------- */

static struct node *node_new(struct node *parent, mode_t mode, const struct fuse_ctx *ctx) {
  struct node *n = calloc(1, sizeof *n);
  if (n == NULL) return NULL;
  n->ino = (fuse_ino_t)(uintptr_t)n;
  n->mode = mode;
  n->nlink = S_ISDIR(mode) ? 2 : 1;
  n->uid = ctx->uid;
  n->gid = ctx->gid;
  n->atime = n->mtime = n->ctime = now();
  n->parent = parent;
  return n;
}

/* Frees `n` once nothing refers to it: no name, no kernel lookup, no open handle. */
static void node_maybe_free(struct node *n) {
  if (n == &fs.root || n->nlink > 0 || atomic_load(&n->nlookup) > 0 || atomic_load(&n->opens) > 0) return;
  free(n->data);
  free(n);
}

static int file_resize(struct node *n, size_t size) {
  if (size > n->cap) {
    size_t cap = n->cap ? n->cap : 4096;
    while (cap < size) cap *= 2;
    char *data = realloc(n->data, cap);
    if (data == NULL) return ENOSPC;
    n->data = data;
    n->cap = cap;
  }
  if (size > n->size) memset(n->data + n->size, 0, size - n->size);
  n->size = size;
  return 0;
}

/* --- operations ---------------------------------------------------------- */

static void mem_init(void *userdata, struct fuse_conn_info *conn) {
  (void)userdata;
  /* As examples/memfs: it clears setuid/setgid itself; nanosecond timestamps. */
  if (conn->capable & FUSE_CAP_HANDLE_KILLPRIV) conn->want |= FUSE_CAP_HANDLE_KILLPRIV;
  conn->time_gran = 1;
}

static void mem_lookup(fuse_req_t req, fuse_ino_t parent, const char *name) {
  struct fuse_entry_param e;
  pthread_rwlock_rdlock(&fs.lock);
  struct node *p = node_of(parent);
  if (!S_ISDIR(p->mode)) {
    pthread_rwlock_unlock(&fs.lock);
    fuse_reply_err(req, ENOTDIR);
    return;
  }
  const int idx = dir_find(&p->dir, name);
  if (idx >= 0) {
    entry_of(p->dir.e[idx].node, &e);
  } else {
    memset(&e, 0, sizeof e); /* a negative entry, cached for the entry timeout */
    e.entry_timeout = fs.timeout;
  }
  pthread_rwlock_unlock(&fs.lock);
  fuse_reply_entry(req, &e);
}

static void forget_one(fuse_ino_t ino, uint64_t nlookup) {
  struct node *n = node_of(ino);
  atomic_fetch_sub(&n->nlookup, nlookup);
  node_maybe_free(n);
}

static void mem_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  pthread_rwlock_wrlock(&fs.lock);
  forget_one(ino, nlookup);
  pthread_rwlock_unlock(&fs.lock);
  fuse_reply_none(req);
}

static void mem_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets) {
  pthread_rwlock_wrlock(&fs.lock);
  for (size_t i = 0; i < count; i++) forget_one(forgets[i].ino, forgets[i].nlookup);
  pthread_rwlock_unlock(&fs.lock);
  fuse_reply_none(req);
}

static void mem_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  (void)fi;
  struct stat st;
  pthread_rwlock_rdlock(&fs.lock);
  attr_of(node_of(ino), &st);
  pthread_rwlock_unlock(&fs.lock);
  fuse_reply_attr(req, &st, fs.timeout);
}

static void mem_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set, struct fuse_file_info *fi) {
  (void)fi;
  struct stat st;
  pthread_rwlock_wrlock(&fs.lock);
  struct node *n = node_of(ino);
  const struct timespec t = now();
  if (to_set & FUSE_SET_ATTR_SIZE) {
    if (!S_ISREG(n->mode)) {
      pthread_rwlock_unlock(&fs.lock);
      fuse_reply_err(req, S_ISDIR(n->mode) ? EISDIR : EINVAL);
      return;
    }
    const int err = file_resize(n, (size_t)attr->st_size);
    if (err != 0) {
      pthread_rwlock_unlock(&fs.lock);
      fuse_reply_err(req, err);
      return;
    }
    n->mtime = t;
  }
  if (to_set & FUSE_SET_ATTR_MODE) n->mode = (n->mode & S_IFMT) | (attr->st_mode & 07777);
  if (to_set & FUSE_SET_ATTR_UID) n->uid = attr->st_uid;
  if (to_set & FUSE_SET_ATTR_GID) n->gid = attr->st_gid;
  if (to_set & FUSE_SET_ATTR_ATIME) n->atime = attr->st_atim;
  if (to_set & FUSE_SET_ATTR_ATIME_NOW) n->atime = t;
  if (to_set & FUSE_SET_ATTR_MTIME) n->mtime = attr->st_mtim;
  if (to_set & FUSE_SET_ATTR_MTIME_NOW) n->mtime = t;
  n->ctime = (to_set & FUSE_SET_ATTR_CTIME) ? attr->st_ctim : t;
  attr_of(n, &st);
  pthread_rwlock_unlock(&fs.lock);
  fuse_reply_attr(req, &st, fs.timeout);
}

/* Adds a new node `name` of `mode` to directory `parent`; the caller holds the lock alone. */
static int make_node(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, struct node **out) {
  struct node *p = node_of(parent);
  if (!S_ISDIR(p->mode)) return ENOTDIR;
  if (strlen(name) > 255) return ENAMETOOLONG;
  if (dir_find(&p->dir, name) >= 0) return EEXIST;
  struct node *n = node_new(p, mode, fuse_req_ctx(req));
  if (n == NULL) return ENOMEM;
  dir_add(&p->dir, name, n);
  if (S_ISDIR(mode)) p->nlink++;
  p->mtime = p->ctime = n->ctime;
  *out = n;
  return 0;
}

static void mem_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode) {
  struct fuse_entry_param e;
  struct node *n;
  pthread_rwlock_wrlock(&fs.lock);
  const int err = make_node(req, parent, name, S_IFDIR | (mode & 07777), &n);
  if (err == 0) entry_of(n, &e);
  pthread_rwlock_unlock(&fs.lock);
  if (err != 0) fuse_reply_err(req, err);
  else fuse_reply_entry(req, &e);
}

static void mem_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, struct fuse_file_info *fi) {
  struct fuse_entry_param e;
  struct node *n = NULL;
  int err = 0;
  pthread_rwlock_wrlock(&fs.lock);
  const int idx = S_ISDIR(node_of(parent)->mode) ? dir_find(&node_of(parent)->dir, name) : -1;
  if (idx >= 0) { /* it appeared since the kernel looked: open it, as open(2) would */
    n = node_of(parent)->dir.e[idx].node;
    if (fi->flags & O_EXCL) err = EEXIST;
    else if (S_ISDIR(n->mode)) err = EISDIR;
    else if (fi->flags & O_TRUNC) err = file_resize(n, 0);
  } else {
    err = make_node(req, parent, name, S_IFREG | (mode & 07777), &n);
  }
  if (err == 0) {
    atomic_fetch_add(&n->opens, 1);
    entry_of(n, &e);
  }
  pthread_rwlock_unlock(&fs.lock);
  if (err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  fi->fh = 0;
  fuse_reply_create(req, &e, fi);
}

static void mem_unlink(fuse_req_t req, fuse_ino_t parent, const char *name) {
  int err = 0;
  pthread_rwlock_wrlock(&fs.lock);
  struct node *p = node_of(parent);
  const int idx = S_ISDIR(p->mode) ? dir_find(&p->dir, name) : -1;
  if (idx < 0) {
    err = S_ISDIR(p->mode) ? ENOENT : ENOTDIR;
  } else if (S_ISDIR(p->dir.e[idx].node->mode)) {
    err = EISDIR;
  } else {
    struct node *n = p->dir.e[idx].node;
    dir_remove(&p->dir, idx);
    n->nlink--;
    p->mtime = p->ctime = n->ctime = now();
    node_maybe_free(n);
  }
  pthread_rwlock_unlock(&fs.lock);
  fuse_reply_err(req, err);
}

static void mem_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  int err = 0;
  const int trunc = (fi->flags & O_TRUNC) != 0;
  if (trunc) pthread_rwlock_wrlock(&fs.lock);
  else pthread_rwlock_rdlock(&fs.lock);
  struct node *n = node_of(ino);
  if (S_ISDIR(n->mode)) err = EISDIR;
  else if (trunc && (err = file_resize(n, 0)) == 0) n->mtime = n->ctime = now();
  if (err == 0) atomic_fetch_add(&n->opens, 1);
  pthread_rwlock_unlock(&fs.lock);
  if (err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  fi->fh = 0;
  fuse_reply_open(req, fi);
}

static void mem_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  (void)fi;
  pthread_rwlock_wrlock(&fs.lock);
  struct node *n = node_of(ino);
  atomic_fetch_sub(&n->opens, 1);
  node_maybe_free(n);
  pthread_rwlock_unlock(&fs.lock);
  fuse_reply_err(req, 0);
}

static void mem_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  (void)ino;
  (void)fi;
  fuse_reply_err(req, 0);
}

static void mem_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi) {
  (void)ino;
  (void)datasync;
  (void)fi;
  fuse_reply_err(req, 0);
}

static void mem_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
  (void)fi;
  pthread_rwlock_rdlock(&fs.lock);
  const struct node *n = node_of(ino);
  const size_t start = (size_t)off < n->size ? (size_t)off : n->size;
  const size_t len = n->size - start < size ? n->size - start : size;
  fuse_reply_buf(req, n->data == NULL ? "" : n->data + start, len); /* before a writer may move the data */
  pthread_rwlock_unlock(&fs.lock);
}

static void mem_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
                      struct fuse_file_info *fi) {
  (void)fi;
  pthread_rwlock_wrlock(&fs.lock);
  struct node *n = node_of(ino);
  const size_t end = (size_t)off + size;
  const int err = end > n->size ? file_resize(n, end) : 0;
  if (err == 0) {
    memcpy(n->data + off, buf, size);
    n->mtime = n->ctime = now();
  }
  pthread_rwlock_unlock(&fs.lock);
  if (err != 0) fuse_reply_err(req, err);
  else fuse_reply_write(req, size);
}

static void list(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, int plus) {
  char *buf = malloc(size);
  if (buf == NULL) {
    fuse_reply_err(req, ENOMEM);
    return;
  }
  size_t used = 0;
  pthread_rwlock_rdlock(&fs.lock);
  struct node *d = node_of(ino);
  if (!S_ISDIR(d->mode)) {
    pthread_rwlock_unlock(&fs.lock);
    free(buf);
    fuse_reply_err(req, ENOTDIR);
    return;
  }
  for (uint64_t cookie = (uint64_t)off + 1;; cookie++) {
    const char *name;
    struct node *n;
    if (cookie == 1) {
      name = ".", n = d;
    } else if (cookie == 2) {
      name = "..", n = d->parent != NULL ? d->parent : d;
    } else if (cookie - 3 < d->dir.n) {
      const struct entry *e = &d->dir.e[cookie - 3];
      if (e->name == NULL) continue;
      name = e->name, n = e->node;
    } else {
      break;
    }
    size_t len;
    if (plus) {
      struct fuse_entry_param e;
      memset(&e, 0, sizeof e);
      if (cookie <= 2) { /* no lookup for '.' and '..': inode 0 tells the kernel so */
        e.attr.st_ino = n->ino;
        e.attr.st_mode = n->mode;
      } else {
        e.ino = n->ino;
        e.attr_timeout = e.entry_timeout = fs.timeout;
        attr_of(n, &e.attr);
      }
      len = fuse_add_direntry_plus(req, buf + used, size - used, name, &e, (off_t)cookie);
      if (len <= size - used && cookie > 2) atomic_fetch_add(&n->nlookup, 1);
    } else {
      struct stat st = {.st_ino = n->ino, .st_mode = n->mode};
      len = fuse_add_direntry(req, buf + used, size - used, name, &st, (off_t)cookie);
    }
    if (len > size - used) break;
    used += len;
  }
  fuse_reply_buf(req, buf, used);
  pthread_rwlock_unlock(&fs.lock);
  free(buf);
}

static void mem_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
  (void)fi;
  list(req, ino, size, off, 0);
}

static void mem_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
  (void)fi;
  list(req, ino, size, off, 1);
}

static const struct fuse_lowlevel_ops ops = {
    .init = mem_init,
    .lookup = mem_lookup,
    .forget = mem_forget,
    .forget_multi = mem_forget_multi,
    .getattr = mem_getattr,
    .setattr = mem_setattr,
    .mkdir = mem_mkdir,
    .create = mem_create,
    .unlink = mem_unlink,
    .open = mem_open,
    .read = mem_read,
    .write = mem_write,
    .flush = mem_flush,
    .release = mem_release,
    .fsync = mem_fsync,
    .readdir = mem_readdir,
    .readdirplus = mem_readdirplus,
};

static const struct fuse_opt mem_opts[] = {
    {"timeout=%lf", offsetof(__typeof__(fs), timeout), 0},
    FUSE_OPT_END,
};

int main(int argc, char *argv[]) {
  struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
  struct fuse_cmdline_opts opts;
  int ret = 1;
  if (fuse_parse_cmdline(&args, &opts) != 0) return 1;
  if (opts.show_help || opts.mountpoint == NULL) {
    printf("usage: %s [-f] [-s] [-o timeout=SECONDS] <mountpoint>\n", argv[0]);
    fuse_cmdline_help();
    fuse_lowlevel_help();
    free(opts.mountpoint);
    fuse_opt_free_args(&args);
    return opts.show_help ? 0 : 1;
  }
  if (fuse_opt_parse(&args, &fs, mem_opts, NULL) == -1 || !(fs.timeout >= 0)) {
    fprintf(stderr, "memfs_ll: bad options\n");
    return 1;
  }
  fs.root.ino = FUSE_ROOT_ID;
  fs.root.mode = S_IFDIR | 0755;
  fs.root.nlink = 2;
  fs.root.uid = getuid();
  fs.root.gid = getgid();
  fs.root.atime = fs.root.mtime = fs.root.ctime = now();

  struct fuse_session *se = fuse_session_new(&args, &ops, sizeof ops, NULL);
  if (se == NULL) goto out;
  if (fuse_set_signal_handlers(se) != 0) goto out_destroy;
  if (fuse_session_mount(se, opts.mountpoint) != 0) goto out_signals;
  fuse_daemonize(opts.foreground);
  if (opts.singlethread) {
    ret = fuse_session_loop(se);
  } else {
    struct fuse_loop_config config = {.clone_fd = opts.clone_fd, .max_idle_threads = opts.max_idle_threads};
    ret = fuse_session_loop_mt(se, &config);
  }
  fuse_session_unmount(se);
out_signals:
  fuse_remove_signal_handlers(se);
out_destroy:
  fuse_session_destroy(se);
out:
  free(opts.mountpoint);
  fuse_opt_free_args(&args);
  return ret ? 1 : 0;
}
