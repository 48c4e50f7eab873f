"""Operations of the local engine; each streams frame by frame."""
