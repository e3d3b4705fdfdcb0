"""The web page end to end in a real headless browser: Debian's chromium driven by selenium through chromedriver (both
from apt; nothing is downloaded), against a server this test starts on 127.0.0.1.

Set KAC_SCREENSHOT=path.png to keep a copy of the screenshot (the README's picture)."""

import os
import re
import shutil
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from kac_prediction.orchestrate import Drum, renderDrum
from kac_prediction.serve import createApp

CHROMIUM, CHROMEDRIVER = '/usr/bin/chromium', '/usr/bin/chromedriver'
pytestmark = pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
    reason=f"needs Debian's chromium and its driver ({CHROMIUM}, {CHROMEDRIVER}): apt install chromium chromium-driver",
)
pytest.importorskip('selenium', reason='needs selenium (the dev extra)')
TIMEOUT = 60.0  # s: a shared 2-core machine may be slow to load a model


@pytest.fixture(scope='module')
def server() -> Iterator[str]:
    """The page served by uvicorn in a thread on 127.0.0.1 at a free port; its URL."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    instance = uvicorn.Server(uvicorn.Config(createApp(preload=True), host='127.0.0.1', port=port, log_level='warning'))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    url = f'http://127.0.0.1:{port}'
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(f'{url}/api/info', timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline or not thread.is_alive():
                raise
            time.sleep(0.1)
    yield url
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope='module')
def browser() -> Iterator[Any]:
    """Headless chromium, by explicit paths (so Selenium Manager downloads nothing)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for argument in (
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--window-size=1100,1750',
        '--mute-audio',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',  # a fake microphone that beeps, for the record button
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(TIMEOUT)
    try:
        yield driver
    finally:
        driver.quit()


def waitFor(driver: Any, condition: Any) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, TIMEOUT).until(condition)


def test_the_page_end_to_end(server: str, browser: Any, tmp_path: Path) -> None:
    """Upload a WAV, predict, read the size, design a kit, take a screenshot; each bad upload shows its message; a
    recording is predicted."""
    from selenium.webdriver.common.by import By

    wav = tmp_path / 'drum.wav'
    sf.write(wav, renderDrum(Drum('circle', 0.6, 100.0), (0.3, 0.0), duration=1.0, amplitude=0.9), 48000)
    browser.get(server)
    waitFor(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, '#material option')) > 1)  # the materials
    browser.find_element(By.ID, 'audio-file').send_keys(str(wav.resolve()))
    browser.find_element(By.ID, 'wave-speed').clear()
    browser.find_element(By.ID, 'wave-speed').send_keys('100')
    browser.find_element(By.ID, 'predict').click()
    text = waitFor(browser, lambda d: d.find_element(By.ID, 'drum-size').text.strip())
    size = float(re.fullmatch(r'([0-9.]+) m', text).group(1))  # type: ignore[union-attr]
    assert abs(size - 0.6) < 0.06, text
    assert browser.find_elements(By.CSS_SELECTOR, '#outline polygon')
    assert browser.find_elements(By.CSS_SELECTOR, '#spectrum polyline')
    assert len(browser.find_elements(By.CSS_SELECTOR, '#spectrum circle')) >= 3  # partials marked
    assert not browser.find_element(By.ID, 'error').is_displayed()
    browser.find_element(By.ID, 'design').click()  # the kit of the default notes, C3 Eb3 G3
    waitFor(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, '#kit tbody tr')) == 3)
    assert browser.find_element(By.ID, 'download-json').get_attribute('href').startswith('blob:')
    assert len(browser.find_elements(By.CSS_SELECTOR, '#kit a[download$=".wav"]')) == 3
    picture = tmp_path / 'page.png'
    assert browser.save_screenshot(str(picture)) and picture.stat().st_size > 10_000
    if os.environ.get('KAC_SCREENSHOT'):
        shutil.copyfile(picture, os.environ['KAC_SCREENSHOT'])

    bad = {  # each bad upload, and the message the page shows for it
        'notes.txt': (b'not a sound\n' * 50, 'notes.txt is not audio this server can read'),
        'silence.wav': (np.zeros(48000), 'silence.wav is silent'),
        'long.wav': (0.1 * np.random.default_rng(0).standard_normal(40 * 8000), 'long.wav is too long'),
        'large.wav': (os.urandom(10_100_000), 'the upload is larger than the limit of 10 MB'),
    }
    for name, (content, expected) in bad.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            sf.write(path, content, 8000 if name == 'long.wav' else 48000)
        browser.find_element(By.ID, 'audio-file').send_keys(str(path.resolve()))
        browser.find_element(By.ID, 'predict').click()
        shown = waitFor(
            browser, lambda d: d.find_element(By.ID, 'error').is_displayed() and d.find_element(By.ID, 'error').text
        )
        assert expected in shown, (name, shown)

    # the record button: 2 s from the (fake) microphone, encoded as a 16-bit WAV by the page, then predicted
    browser.execute_script("document.getElementById('drum-size').textContent = ''")
    browser.find_element(By.ID, 'record').click()
    waitFor(
        browser,
        lambda d: d.find_element(By.ID, 'input-audio').is_displayed() and d.find_element(By.ID, 'predict').is_enabled(),
    )
    browser.find_element(By.ID, 'predict').click()
    assert re.fullmatch(r'[0-9.]+ m', waitFor(browser, lambda d: d.find_element(By.ID, 'drum-size').text.strip()))
    assert not browser.find_element(By.ID, 'error').is_displayed()
