import type { ComponentChildren } from "preact";

interface Props {
  // Each button shows only when its page exists. A listing whose server pages by token alone
  // goes back to the first page; one that remembers the tokens it saw goes back one page.
  onFirst?: () => void;
  onPrevious?: () => void;
  onNext?: () => void;
  // Further controls on the same line, such as the page size.
  children?: ComponentChildren;
}

export function Pager({ onFirst, onPrevious, onNext, children }: Props) {
  return (
    <nav class="pager" aria-label="Pages">
      {onFirst && (
        <button type="button" onClick={onFirst}>
          First page
        </button>
      )}
      {onPrevious && (
        <button type="button" onClick={onPrevious}>
          Previous page
        </button>
      )}
      {onNext && (
        <button type="button" onClick={onNext}>
          Next page
        </button>
      )}
      {children}
    </nav>
  );
}
