package org.volumedriver.quobyte.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Pattern;

import org.volumedriver.spi.InvalidConfigurationException;
import org.volumedriver.spi.UnsafePathException;

/**
 * The mount layout (B1–B4): a checked base directory holding one directory per export, named by
 * the md5 of the stripped export (as Nova, Cinder and os-brick do).
 */
public final class MountLayout {

    /** Mount directory names: 32 lower-case hex digits. */
    public static final Pattern DIR_NAME = Pattern.compile("[0-9a-f]{32}");

    private final Path base;
    private final int mode;
    private final int uid;
    private final String groupName;
    /** Resolved by {@link #checkBase()}; {@code null} when no group is configured. */
    private volatile GroupPrincipal group;

    /**
     * @param base the mount base, absolute and normalized
     * @param mode the mode of created directories
     * @param uid the owner every directory must have (the process's effective uid)
     */
    public MountLayout(Path base, int mode, int uid) {
        this(base, mode, uid, "");
    }

    /**
     * @param base the mount base, absolute and normalized
     * @param mode the mode of created directories
     * @param uid the owner every directory must have (the process's effective uid)
     * @param groupName the group of created directories (and of the base), empty for none
     */
    public MountLayout(Path base, int mode, int uid, String groupName) {
        this.base = base;
        this.mode = mode;
        this.uid = uid;
        this.groupName = groupName;
    }

    /** @return the effective uid of this process (owner of {@code /proc/self}) */
    public static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("cannot determine the effective uid", e);
        }
    }

    /** @return the mount base */
    public Path base() {
        return base;
    }

    /**
     * @param strippedExport the export without {@code quobyte://}
     * @return md5 hex of the export's UTF-8 bytes
     */
    public static String hash(String strippedExport) {
        MessageDigest md5 = MD5.get();
        md5.reset();
        return HexFormat.of().formatHex(md5.digest(strippedExport.getBytes(StandardCharsets.UTF_8)));
    }

    // a name, not security: Nova, Cinder and os-brick name mount directories this way
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is missing from the JDK", e);
        }
    });

    /**
     * @param strippedExport the stripped export
     * @return {@code <base>/<md5 hex>}
     */
    public Path mountDirectory(String strippedExport) {
        return base.resolve(hash(strippedExport));
    }

    /**
     * @param dir a path
     * @return whether it is a mount directory of this layout
     */
    public boolean isMountDirectory(Path dir) {
        return dir.isAbsolute() && base.equals(dir.getParent()) && DIR_NAME.matcher(dir.getFileName().toString()).matches()
                && dir.normalize().equals(dir);
    }

    /**
     * Checks the base (B1), creating missing components with the configured mode: no symlink
     * component, a directory owned by this process's user, not group- or world-writable, below
     * directories that only root or this user can change.
     *
     * @throws InvalidConfigurationException naming {@code mount.base} and the reason
     */
    public void checkBase() throws InvalidConfigurationException {
        if (!groupName.isEmpty()) {
            try {
                group = base.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(groupName);
            } catch (UserPrincipalNotFoundException e) {
                throw new InvalidConfigurationException("directory.group", "there is no group " + groupName);
            } catch (IOException e) {
                throw new InvalidConfigurationException("directory.group", "cannot be looked up (" + e.getClass().getSimpleName() + ")");
            }
        }
        Path p = base.getRoot();
        for (Path part : base) {
            p = p.resolve(part);
            PosixFileAttributes a;
            try {
                a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                try {
                    Files.createDirectory(p);
                    Files.setPosixFilePermissions(p, permissions(mode));
                    applyGroup(p);
                    a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (IOException ce) {
                    throw new InvalidConfigurationException("mount.base", "cannot create " + p + " (" + ce.getClass().getSimpleName() + ")");
                }
            } catch (IOException e) {
                throw new InvalidConfigurationException("mount.base", "cannot inspect " + p + " (" + e.getClass().getSimpleName() + ")");
            }
            if (a.isSymbolicLink()) {
                throw new InvalidConfigurationException("mount.base", "component " + p + " is a symbolic link");
            }
            if (!a.isDirectory()) {
                throw new InvalidConfigurationException("mount.base", "component " + p + " is not a directory");
            }
            if (!p.equals(base)) {
                checkAncestor(p);
            }
        }
        try {
            PosixFileAttributes a = Files.readAttributes(base, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            int actualUid = (Integer) Files.getAttribute(base, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (actualUid != uid) {
                throw new InvalidConfigurationException("mount.base", "is owned by uid " + actualUid + ", not by uid " + uid);
            }
            Set<PosixFilePermission> perms = a.permissions();
            if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new InvalidConfigurationException("mount.base", "is group- or world-writable");
            }
            if (group != null && !group.equals(a.group())) {
                // an existing base is the operator's: never regrouped behind their back
                throw new InvalidConfigurationException("mount.base", "has group " + a.group().getName()
                        + ", but directory.group is " + groupName + " (chgrp it, or change directory.group)");
            }
        } catch (IOException e) {
            throw new InvalidConfigurationException("mount.base", "cannot inspect it (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Whoever may rename entries in a directory above the base can swap the base for a directory
     * of their own: every ancestor must belong to root or to us, and be writable by nobody else
     * unless it is sticky (like {@code /tmp}, where only an entry's owner may rename it).
     */
    private void checkAncestor(Path dir) throws InvalidConfigurationException {
        int owner;
        int mode;
        try {
            owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException | ClassCastException e) {
            throw new InvalidConfigurationException("mount.base", "cannot inspect " + dir + " (" + e.getClass().getSimpleName() + ")");
        }
        if (owner != 0 && owner != uid) {
            throw new InvalidConfigurationException("mount.base", "directory " + dir + " above it is owned by uid " + owner
                    + ", neither root nor uid " + uid);
        }
        boolean sticky = (mode & 01000) != 0;
        if ((mode & 0022) != 0 && !sticky) {
            throw new InvalidConfigurationException("mount.base", "directory " + dir
                    + " above it is group- or world-writable without the sticky bit");
        }
    }

    /**
     * A journal kept outside the base must lie in a directory nobody else can change.
     *
     * @param journalDir the directory of the configured journal
     * @throws InvalidConfigurationException naming {@code journal.path} and the reason
     */
    public void checkJournalDirectory(Path journalDir) throws InvalidConfigurationException {
        try {
            PosixFileAttributes a = Files.readAttributes(journalDir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) Files.getAttribute(journalDir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if (!a.isDirectory() || (mode & 0022) != 0) {
                throw new InvalidConfigurationException("journal.path", "its directory must be a directory that is not group- or world-writable");
            }
        } catch (IOException e) {
            throw new InvalidConfigurationException("journal.path", "its directory cannot be inspected (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Makes sure a private state directory exists below the base, for lock files and the default
     * journal.
     *
     * @param dir the directory
     * @throws UnsafePathException if it exists with a wrong type, owner or mode
     */
    public void ensurePrivateDirectory(Path dir) throws UnsafePathException {
        try {
            Files.createDirectory(dir);
            Files.setPosixFilePermissions(dir, permissions(0700));
        } catch (FileAlreadyExistsException e) {
            // verified below
        } catch (IOException e) {
            throw new UnsafePathException(dir.toString(), "cannot be created (" + e.getClass().getSimpleName() + ")");
        }
        verifyDirectory(dir, 0700, true);
    }

    /**
     * Prepares a mount directory (B3, B4): created with the configured mode and verified, or an
     * existing one verified: a directory (no symlink) owned by us, with exactly the configured
     * mode, and empty.
     *
     * @param dir the mount directory
     * @return whether it was created by this call
     * @throws UnsafePathException if it is unsafe or not empty
     */
    public boolean prepare(Path dir) throws UnsafePathException {
        if (!isMountDirectory(dir)) {
            throw new UnsafePathException(dir.toString(), "is not a mount directory of the mount base");
        }
        boolean created;
        try {
            Files.createDirectory(dir);
            created = true;
            Files.setPosixFilePermissions(dir, permissions(mode));
            applyGroup(dir);
        } catch (FileAlreadyExistsException e) {
            created = false;
        } catch (IOException e) {
            throw new UnsafePathException(dir.toString(), "cannot be created (" + e.getClass().getSimpleName() + ")");
        }
        verifyDirectory(dir, mode, true);
        verifyGroup(dir);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            if (entries.iterator().hasNext()) {
                throw new UnsafePathException(dir.toString(), "is not empty; refusing to mount over its contents");
            }
        } catch (IOException e) {
            throw new UnsafePathException(dir.toString(), "cannot be listed (" + e.getClass().getSimpleName() + ")");
        }
        return created;
    }

    private void verifyDirectory(Path dir, int expectedMode, boolean exact) throws UnsafePathException {
        try {
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) {
                throw new UnsafePathException(dir.toString(), "is a symbolic link");
            }
            if (!a.isDirectory()) {
                throw new UnsafePathException(dir.toString(), "is not a directory");
            }
            int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (owner != uid) {
                throw new UnsafePathException(dir.toString(), "is owned by uid " + owner + ", not " + uid);
            }
            int actual = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
            if (exact ? actual != expectedMode : (actual & 0022) != 0) {
                throw new UnsafePathException(dir.toString(), String.format("has mode %04o, expected %04o", actual, expectedMode));
            }
        } catch (NoSuchFileException e) {
            throw new UnsafePathException(dir.toString(), "vanished while being checked");
        } catch (IOException e) {
            throw new UnsafePathException(dir.toString(), "cannot be inspected (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Gives a directory just created the configured group, so that QEMU's group can reach the volumes. */
    private void applyGroup(Path dir) throws IOException {
        if (group != null) {
            Files.getFileAttributeView(dir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setGroup(group);
        }
    }

    private void verifyGroup(Path dir) throws UnsafePathException {
        if (group == null) {
            return;
        }
        try {
            GroupPrincipal actual = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).group();
            if (!group.equals(actual)) {
                throw new UnsafePathException(dir.toString(), "has group " + actual.getName() + ", not " + groupName);
            }
        } catch (IOException e) {
            throw new UnsafePathException(dir.toString(), "cannot be inspected (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Removes a mount directory after a verified unmount, if it is an empty plain directory.
     *
     * @param dir the mount directory
     * @return whether it was removed (or was already gone)
     */
    public boolean removeIfEmpty(Path dir) {
        if (!isMountDirectory(dir)) {
            return false;
        }
        try {
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isDirectory() || a.isSymbolicLink()) {
                return false;
            }
            Files.delete(dir);
            return true;
        } catch (NoSuchFileException e) {
            return true;
        } catch (DirectoryNotEmptyException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = { PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE };
        for (int i = 0; i < 9; i++) {
            if ((mode & (0400 >> i)) != 0) {
                s.add(order[i]);
            }
        }
        return s;
    }
}
