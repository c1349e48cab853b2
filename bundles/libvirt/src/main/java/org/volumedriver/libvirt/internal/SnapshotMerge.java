package org.volumedriver.libvirt.internal;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.libvirt.BlockJobFailedException;
import org.volumedriver.libvirt.BlockJobProgress;
import org.volumedriver.libvirt.ChainLink;
import org.volumedriver.libvirt.ChainMismatchException;
import org.volumedriver.libvirt.MergeKind;
import org.volumedriver.libvirt.MergeResult;
import org.volumedriver.libvirt.internal.ChainReader.LiveDisk;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeImage;

/**
 * The host's part of deleting an assisted snapshot (Nova's {@code volume_snapshot_delete}): one
 * file merged out of the running guest's disk chain by a commit or a pull, as {@link MergePlan}
 * decides, after the chain on the share was found equal to libvirt's; then a bounded wait for the
 * block job and a check that the chain is what the plan predicts. The active file stays the same,
 * so the driver's records do not change; the merged-away file stays on the share. Runs under the
 * domain's lock, on an open session.
 */
final class SnapshotMerge {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotMerge.class);

    private final AttachedVolume volume;
    private final Guest guest;
    private final BlockJobs jobs;

    /**
     * @param volume the volume
     * @param guest the domain
     * @param jobs the bounded wait for the block job
     */
    SnapshotMerge(AttachedVolume volume, Guest guest, BlockJobs jobs) {
        this.volume = volume;
        this.guest = guest;
        this.jobs = jobs;
    }

    /**
     * @param fileToMerge see {@link MergePlan}
     * @param mergeTargetFile see {@link MergePlan}
     * @param progress told the job's progress, or {@code null}
     * @param start when the operation began ({@link System#nanoTime()})
     * @return the result
     * @throws VolumeDriverException the typed refusal or failure
     */
    MergeResult run(String fileToMerge, String mergeTargetFile, BlockJobProgress progress, long start) throws VolumeDriverException {
        RunningDisk disk = RunningDisk.find(guest, volume, "block merge");
        MergePlan plan = MergePlan.of(disk.names(), fileToMerge, mergeTargetFile);
        sameOnTheShare(disk);
        String dev = disk.targetDev();
        if (plan.kind() == MergeKind.COMMIT) {
            guest.commit(dev, path(plan.base()), path(plan.top()), Guest.COMMIT_RELATIVE);
        } else {
            guest.rebase(dev, plan.base() == null ? null : path(plan.base()), plan.base() == null ? 0 : Guest.REBASE_RELATIVE);
        }
        LOG.info("domain {} disk {}: {} started, merging {} away", guest.name(), dev, plan.kind(), plan.mergedAway());
        jobs.await(new BlockJobs.Job() {
            @Override
            public Optional<BlockJobs.State> state() throws HypervisorException {
                return guest.blockJob(dev);
            }

            @Override
            public void abort() throws HypervisorException {
                guest.abortBlockJob(dev);
            }
        }, progress, guest.name(), dev);
        LiveDisk after = expectedChain(plan, disk);
        LOG.info("domain {} disk {}: {} done, {} left the chain (still on the share)", guest.name(), dev, plan.kind(), plan.mergedAway());
        return new MergeResult(guest.name(), dev, plan.kind(), path(plan.mergedAway()), RunningDisk.chainOf(guest.name(), after),
                Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * The chain on the share, file by file as the driver inspects it, must be libvirt's: the same
     * formats, each file's backing file the next one, the last one without.
     */
    private void sameOnTheShare(RunningDisk disk) throws VolumeDriverException {
        List<String> names = disk.names();
        List<ChainLink> links = disk.disk().chain();
        for (int i = 0; i < names.size(); i++) {
            VolumeImage image = volume.inspect(names.get(i));
            String format = links.get(i).format();
            if (!format.isEmpty() && !image.format().equals(format)) {
                throw new ChainMismatchException(Redactor.quote(names.get(i)) + " is " + image.format()
                        + " on the share, but libvirt uses it as " + format);
            }
            Optional<String> expected = i + 1 < names.size() ? Optional.of(names.get(i + 1)) : Optional.empty();
            if (!image.backingFile().equals(expected)) {
                throw new ChainMismatchException(Redactor.quote(names.get(i)) + " has backing file "
                        + image.backingFile().map(Redactor::quote).orElse("none") + " on the share, but libvirt's chain has "
                        + expected.map(Redactor::quote).orElse("none"));
            }
        }
    }

    /**
     * libvirt removes a finished job whatever its end: the chain tells whether it did its work.
     * Looked at once more after a poll interval, in case libvirt has not yet recorded the end.
     */
    private LiveDisk expectedChain(MergePlan plan, RunningDisk before) throws VolumeDriverException {
        List<String> expected = plan.after().stream().map(this::path).toList();
        List<String> seen = List.of();
        for (int attempt = 0; attempt < 2; attempt++) {
            Optional<LiveDisk> now = DiskLookup.lookup(ChainReader.disks(guest, Guest.View.LIVE), before.disk().serial().isPresent()
                    ? volume.described() : volume.describe(before.active()));
            seen = now.map(d -> d.chain().stream().map(ChainLink::path).toList()).orElse(List.of());
            if (seen.equals(expected)) {
                return now.get();
            }
            pause();
        }
        throw new BlockJobFailedException(guest.name(), before.targetDev(), "the job ended, but the chain is "
                + seen.stream().map(Redactor::quote).toList() + ", not " + expected.stream().map(Redactor::quote).toList()
                + "; it failed or was cancelled", false);
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String path(String name) {
        return volume.directory().resolve(name).toString();
    }
}
