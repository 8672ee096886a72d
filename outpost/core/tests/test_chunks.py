import pytest
from hypothesis import given
from hypothesis import strategies as st

from outpost.core.chunks import chunked


@given(st.lists(st.integers()), st.integers(min_value=1, max_value=7))
def test_chunks_keep_every_item_in_order_and_only_the_last_is_short(items, size):
    chunks = list(chunked(items, size))
    assert [item for chunk in chunks for item in chunk] == items
    assert all(len(chunk) == size for chunk in chunks[:-1])
    assert all(0 < len(chunk) <= size for chunk in chunks)


def test_an_iterator_is_read_a_chunk_at_a_time():
    read = []

    def rows():
        for n in range(5):
            read.append(n)
            yield n

    chunks = chunked(rows(), 2)
    assert next(chunks) == [0, 1] and read == [0, 1]
    assert list(chunks) == [[2, 3], [4]]


def test_a_chunk_holds_at_least_one_item():
    with pytest.raises(ValueError):
        list(chunked([1], 0))
