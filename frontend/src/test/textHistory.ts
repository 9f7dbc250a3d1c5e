/**
 * Records every text the page showed from now on, so a test can prove that
 * something was never on screen — not just that it is gone by the end.
 */
export function recordPageTexts() {
  const seen: string[] = [document.body.textContent ?? ''];
  const observer = new MutationObserver(() => seen.push(document.body.textContent ?? ''));
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  return {
    everShowed: (text: string) => seen.some((snapshot) => snapshot.includes(text)),
    stop: () => observer.disconnect(),
  };
}
