/*
 * A stand-in for the Quobyte client, for tests only: never installed as the product's client.
 *
 * Command line, as mount.quobyte's:  quobyte-standin [--disable-xattrs] <export> <dir> [-c <cfg>]
 *
 * It mounts a FUSE pass-through of a backing directory on <dir> with
 * "-o fsname=quobyte@<export>,subtype=quobyte" (plus allow_other when run by root, so that QEMU's
 * user can open the images), so /proc/self/mountinfo shows fstype fuse.quobyte
 * and source quobyte@<export> (',' between registries is shown as '|', as the real client does).
 * The root reports st_size 0; attributes are cached for FUSE's default second. The process exits 0 only once the mount is established (the FUSE
 * daemon then runs in the background), non-zero on any failure.
 *
 * Backing directory: "backing=<absolute dir>" in the -c file if given, otherwise
 * <directory of this executable>/store/<export with / : , [ ] | replaced by _>, created on demand.
 * The daemon's pid is written to <backing>.pid.
 *
 * Test knobs, files next to the executable (all optional):
 *   mount-delay-ms   an integer: sleep that long before mounting (benchmarks)
 *   exit-status      an integer: exit with it at once, mounting nothing (failure tests)
 *   root-size        an integer: report it as the root's st_size (validation tests)
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE

#include <fuse.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static int backing_fd = -1;
static char backing_dir[PATH_MAX];
static long long root_size = 0;

/* FUSE paths start with '/'; make them relative to the backing directory */
static const char *rel(const char *path)
{
    while (*path == '/')
        path++;
    return *path ? path : ".";
}

static int sf_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    int rc = fi ? fstat(fi->fh, st) : fstatat(backing_fd, rel(path), st, AT_SYMLINK_NOFOLLOW);
    if (rc < 0)
        return -errno;
    if (strcmp(path, "/") == 0)
        st->st_size = root_size;
    return 0;
}

static int sf_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void) off; (void) fi; (void) flags;
    int fd = openat(backing_fd, rel(path), O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -errno;
    DIR *d = fdopendir(fd);
    if (!d) {
        int e = errno;
        close(fd);
        return -e;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (fill(buf, e->d_name, NULL, 0, 0))
            break;
    }
    closedir(d);
    return 0;
}

/*
 * O_DIRECT (QEMU with cache=none) is honoured by the kernel on the FUSE side, where any alignment
 * works; the backing file is opened without it, because libfuse's buffers are not aligned for it.
 */
static int sf_open(const char *path, struct fuse_file_info *fi)
{
    int fd = openat(backing_fd, rel(path), fi->flags & ~(O_NOFOLLOW | O_DIRECT));
    if (fd < 0)
        return -errno;
    fi->fh = fd;
    return 0;
}

static int sf_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    int fd = openat(backing_fd, rel(path), (fi->flags & ~O_DIRECT) | O_CREAT, mode);
    if (fd < 0)
        return -errno;
    fi->fh = fd;
    return 0;
}

static int sf_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void) path;
    ssize_t n = pread(fi->fh, buf, size, off);
    return n < 0 ? -errno : (int) n;
}

static int sf_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void) path;
    ssize_t n = pwrite(fi->fh, buf, size, off);
    return n < 0 ? -errno : (int) n;
}

static int sf_release(const char *path, struct fuse_file_info *fi)
{
    (void) path;
    close(fi->fh);
    return 0;
}

static int sf_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
    (void) path;
    return (datasync ? fdatasync(fi->fh) : fsync(fi->fh)) < 0 ? -errno : 0;
}

static int sf_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    if (fi)
        return ftruncate(fi->fh, size) < 0 ? -errno : 0;
    int fd = openat(backing_fd, rel(path), O_WRONLY);
    if (fd < 0)
        return -errno;
    int rc = ftruncate(fd, size) < 0 ? -errno : 0;
    close(fd);
    return rc;
}

static int sf_unlink(const char *path)
{
    return unlinkat(backing_fd, rel(path), 0) < 0 ? -errno : 0;
}

static int sf_mkdir(const char *path, mode_t mode)
{
    return mkdirat(backing_fd, rel(path), mode) < 0 ? -errno : 0;
}

static int sf_rmdir(const char *path)
{
    return unlinkat(backing_fd, rel(path), AT_REMOVEDIR) < 0 ? -errno : 0;
}

static int sf_rename(const char *from, const char *to, unsigned int flags)
{
    if (flags)
        return -EINVAL;
    return renameat(backing_fd, rel(from), backing_fd, rel(to)) < 0 ? -errno : 0;
}

static int sf_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    if (fi)
        return fchmod(fi->fh, mode) < 0 ? -errno : 0;
    return fchmodat(backing_fd, rel(path), mode, 0) < 0 ? -errno : 0;
}

static int sf_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
    if (fi)
        return fchown(fi->fh, uid, gid) < 0 ? -errno : 0;
    return fchownat(backing_fd, rel(path), uid, gid, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static int sf_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
    if (fi)
        return futimens(fi->fh, tv) < 0 ? -errno : 0;
    return utimensat(backing_fd, rel(path), tv, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static int sf_statfs(const char *path, struct statvfs *st)
{
    (void) path;
    return fstatvfs(backing_fd, st) < 0 ? -errno : 0;
}

static void *sf_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    (void) conn;
    (void) cfg; /* default attribute caching, like a real client; statx(AT_STATX_FORCE_SYNC) still reaches us */
    char pidfile[PATH_MAX + 8];
    snprintf(pidfile, sizeof pidfile, "%s.pid", backing_dir);
    FILE *f = fopen(pidfile, "w");
    if (f) {
        fprintf(f, "%ld\n", (long) getpid());
        fclose(f);
    }
    return NULL;
}

static const struct fuse_operations ops = {
    .init = sf_init,
    .getattr = sf_getattr,
    .readdir = sf_readdir,
    .open = sf_open,
    .create = sf_create,
    .read = sf_read,
    .write = sf_write,
    .release = sf_release,
    .fsync = sf_fsync,
    .truncate = sf_truncate,
    .unlink = sf_unlink,
    .mkdir = sf_mkdir,
    .rmdir = sf_rmdir,
    .rename = sf_rename,
    .chmod = sf_chmod,
    .chown = sf_chown,
    .utimens = sf_utimens,
    .statfs = sf_statfs,
};

static int read_number_file(const char *dir, const char *name, long long *out)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int ok = fscanf(f, "%lld", out) == 1;
    fclose(f);
    return ok;
}

static int mkdirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(path, 0700) < 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    return mkdir(path, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

static int backing_from_config(const char *cfg, char *out, size_t len)
{
    FILE *f = fopen(cfg, "r");
    if (!f)
        return -1;
    char line[PATH_MAX + 16];
    int found = -1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (strncmp(line, "backing=", 8) == 0 && line[8] == '/') {
            snprintf(out, len, "%s", line + 8);
            found = 0;
        }
    }
    fclose(f);
    return found;
}

static void usage(void)
{
    fprintf(stderr, "usage: quobyte-standin [--disable-xattrs] <export> <dir> [-c <cfg>]\n");
}

int main(int argc, char **argv)
{
    const char *export = NULL, *dir = NULL, *cfg = NULL;
    int positional = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--disable-xattrs") == 0 && positional == 0) {
            continue;
        } else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            cfg = argv[++i];
        } else if (argv[i][0] == '-') {
            usage();
            return 2;
        } else if (positional == 0) {
            export = argv[i];
            positional++;
        } else if (positional == 1) {
            dir = argv[i];
            positional++;
        } else {
            usage();
            return 2;
        }
    }
    if (!export || !dir || strlen(export) > 1024) {
        usage();
        return 2;
    }

    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 3;
    self[n] = 0;
    char *slash = strrchr(self, '/');
    *slash = 0; /* self is now the directory of the executable */

    long long value;
    if (read_number_file(self, "exit-status", &value))
        return (int) value;
    if (read_number_file(self, "root-size", &value))
        root_size = value;

    if (cfg) {
        if (backing_from_config(cfg, backing_dir, sizeof backing_dir) < 0) {
            fprintf(stderr, "quobyte-standin: config file without backing=<absolute dir>\n");
            return 3;
        }
    } else {
        char name[1100];
        size_t k = 0;
        for (const char *p = export; *p && k < sizeof name - 1; p++)
            name[k++] = strchr("/:,[]|", *p) ? '_' : *p;
        name[k] = 0;
        snprintf(backing_dir, sizeof backing_dir, "%s/store/%s", self, name);
    }
    if (mkdirs(backing_dir) < 0) {
        perror("quobyte-standin: backing directory");
        return 3;
    }
    backing_fd = open(backing_dir, O_RDONLY | O_DIRECTORY);
    if (backing_fd < 0) {
        perror("quobyte-standin: backing directory");
        return 3;
    }

    if (read_number_file(self, "mount-delay-ms", &value) && value > 0) {
        struct timespec ts = { value / 1000, (value % 1000) * 1000000L };
        nanosleep(&ts, NULL);
    }

    /* the real client shows several registries joined by '|' */
    char fsname[1200];
    /* allow_other, as a client serving VM images must: QEMU runs as its own user (libvirt-qemu) */
    snprintf(fsname, sizeof fsname, "fsname=quobyte@%s,subtype=quobyte%s", export, geteuid() == 0 ? ",allow_other" : "");
    char *start = fsname + strlen("fsname=quobyte@");
    for (size_t i = 0; i < strlen(export); i++)
        if (start[i] == ',')
            start[i] = '|';
    char *fargv[] = { "quobyte-standin", (char *) dir, "-o", fsname, NULL };
    /* fuse_main mounts, then daemonizes: the parent exits 0 only once the mount is up */
    return fuse_main(4, fargv, &ops, NULL);
}
