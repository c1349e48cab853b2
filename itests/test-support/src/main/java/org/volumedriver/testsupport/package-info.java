/**
 * Fixtures for the tests of every module, used at test scope only: the configuration files the
 * product ships, read as Karaf reads them; component configurations as Declarative Services
 * builds them; TCG guest definitions for libvirt; the state of processes from {@code /proc}; an
 * in-memory volume driver and driver registry; an Event Admin that records what is posted; and the
 * switch of the tests that need root, real mounts or a hypervisor. Only the volume SPI, JUnit's API
 * and (provided) the Event Admin API are needed, so that the tests of the executor, the drivers,
 * libvirt and the shells can all use them.
 */
package org.volumedriver.testsupport;
