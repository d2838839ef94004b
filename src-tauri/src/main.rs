// No console window for the desktop app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // The start-up timeline of the desktop benchmark begins here (`bench::mark`).
    ksmc_desktop_lib::bench::start();
    ksmc_desktop_lib::run();
}
